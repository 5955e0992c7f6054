import { SocketStatus } from './presence-status';

/** One open socket of a user, on one node. */
export interface Connection {
  socketId: string;
  nodeId: string;
  status: SocketStatus;
}

/**
 * Where connections live: in memory on a single node, in Redis across many. Announced status
 * is what contacts were last told, so a node can tell whether a change must be announced.
 */
export interface PresenceStore {
  add(userId: string, c: Connection): Promise<void>;
  remove(userId: string, socketId: string): Promise<void>;
  setStatus(userId: string, socketId: string, status: SocketStatus): Promise<void>;
  connections(userId: string): Promise<Connection[]>;
  /** Returns the previous announced status. */
  announce(userId: string, status: string): Promise<string | null>;
  announced(userId: string): Promise<string | null>;
  /** Users announced as online or away. */
  announcedPresent(): Promise<string[]>;
  /** Drops what was announced for users that no longer exist. */
  forget(userIds: string[]): Promise<void>;
  heartbeat(nodeId: string, ttlMs: number): Promise<void>;
  /** Nodes that stopped beating, with the users that had sockets there; their sockets are dropped. */
  reapDeadNodes(): Promise<string[]>;
  /** A node shutting down cleanly takes itself out of the node list. */
  retire(nodeId: string): Promise<void>;
}

export class MemoryPresenceStore implements PresenceStore {
  private readonly sockets = new Map<string, Map<string, Connection>>();
  private readonly announcedStatus = new Map<string, string>();

  async add(userId: string, c: Connection): Promise<void> {
    const mine = this.sockets.get(userId) ?? new Map<string, Connection>();
    mine.set(c.socketId, c);
    this.sockets.set(userId, mine);
  }

  async remove(userId: string, socketId: string): Promise<void> {
    const mine = this.sockets.get(userId);
    mine?.delete(socketId);
    if (mine && mine.size === 0) this.sockets.delete(userId);
  }

  async setStatus(userId: string, socketId: string, status: SocketStatus): Promise<void> {
    const c = this.sockets.get(userId)?.get(socketId);
    if (c) c.status = status;
  }

  async connections(userId: string): Promise<Connection[]> {
    return [...(this.sockets.get(userId)?.values() ?? [])];
  }

  async announce(userId: string, status: string): Promise<string | null> {
    const previous = this.announcedStatus.get(userId) ?? null;
    this.announcedStatus.set(userId, status);
    return previous;
  }

  async announced(userId: string): Promise<string | null> {
    return this.announcedStatus.get(userId) ?? null;
  }

  async announcedPresent(): Promise<string[]> {
    return [...this.announcedStatus].filter(([, s]) => s !== 'offline').map(([u]) => u);
  }

  async forget(userIds: string[]): Promise<void> {
    for (const userId of userIds) this.announcedStatus.delete(userId);
  }

  async heartbeat(): Promise<void> {}

  async reapDeadNodes(): Promise<string[]> {
    return [];
  }

  async retire(): Promise<void> {}
}
