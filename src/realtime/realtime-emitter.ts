import { Injectable } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import { ServerEventName, ServerEventPayloads, sessionRoom, userRoom } from './socket-events';

/**
 * The one way services' consequences reach sockets: typed events to user rooms. Rooms are per
 * user (every device, every node through the adapter), never per conversation, so a removed
 * member stops receiving at once.
 */
@Injectable()
export class RealtimeEmitter {
  private namespace?: Namespace;

  attach(namespace: Namespace): void {
    this.namespace = namespace;
  }

  toUsers<E extends ServerEventName>(
    userIds: string[],
    event: E,
    payload: ServerEventPayloads[E],
    exceptSocketId?: string,
  ): void {
    if (!this.namespace || userIds.length === 0) return;
    let target = this.namespace.to(userIds.map(userRoom));
    if (exceptSocketId) target = target.except(exceptSocketId);
    target.emit(event, payload);
  }

  /** Drops every socket of a user on every node. */
  disconnectUser(userId: string): void {
    this.namespace?.in(userRoom(userId)).disconnectSockets(true);
  }

  /** Drops every socket opened with a session's tokens. */
  disconnectSession(sessionId: string): void {
    this.namespace?.in(sessionRoom(sessionId)).disconnectSockets(true);
  }

  connectedSockets(): number {
    return this.namespace?.sockets.size ?? 0;
  }
}
