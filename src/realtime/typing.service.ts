import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { MessageAccess } from '../messages/message-access';
import { Visibility } from '../visibility/visibility.service';
import { RealtimeEmitter } from './realtime-emitter';

export const TYPING_TTL_MS = 6_000;

/**
 * Typing is never stored. The node that got `typing:start` owns its expiry: without a refresh
 * within 6 s it announces `isTyping: false` by itself.
 */
@Injectable()
export class TypingService implements OnApplicationShutdown {
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; socketId: string }>();

  constructor(
    private readonly access: MessageAccess,
    private readonly visibility: Visibility,
    private readonly emitter: RealtimeEmitter,
  ) {}

  async start(caller: AuthUser, conversationId: string, socketId: string): Promise<void> {
    await this.access.member(caller, conversationId);
    const key = `${conversationId}:${caller.id}`;
    const running = this.timers.get(key);
    if (running) clearTimeout(running.timer);
    const timer = setTimeout(() => void this.stop(caller, conversationId, false), TYPING_TTL_MS);
    timer.unref();
    this.timers.set(key, { timer, socketId });
    if (!running) await this.announce(caller, conversationId, true);
  }

  async stop(caller: AuthUser, conversationId: string, checkAccess = true): Promise<void> {
    if (checkAccess) await this.access.member(caller, conversationId);
    const key = `${conversationId}:${caller.id}`;
    const running = this.timers.get(key);
    if (running) clearTimeout(running.timer);
    this.timers.delete(key);
    await this.announce(caller, conversationId, false);
  }

  /** A socket went away: whatever it was typing stops. */
  async socketGone(caller: AuthUser, socketId: string): Promise<void> {
    const mine = [...this.timers].filter(
      ([key, t]) => t.socketId === socketId && key.endsWith(`:${caller.id}`),
    );
    for (const [key] of mine) await this.stop(caller, key.slice(0, key.indexOf(':')), false);
  }

  onApplicationShutdown(): void {
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async announce(
    caller: AuthUser,
    conversationId: string,
    isTyping: boolean,
  ): Promise<void> {
    const others = (await this.visibility.members(conversationId)).filter((id) => id !== caller.id);
    this.emitter.toUsers(others, 'typing', {
      conversationId,
      userId: caller.id,
      displayName: caller.displayName,
      isTyping,
    });
  }
}
