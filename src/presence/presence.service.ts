import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainEventBus } from '../common/events/domain-event-bus';
import { AppConfig } from '../config/app-config';
import { REDIS, RedisClient } from '../database/redis.provider';
import { ContactsRepository } from './contacts.repository';
import { PresenceStatus, presenceOf, SocketStatus } from './presence-status';
import { MemoryPresenceStore, PresenceStore } from './presence.store';
import { RedisPresenceStore } from './redis-presence.store';

export interface PresenceView {
  userId: string;
  status: PresenceStatus;
  lastSeenAt: string | null;
}

/**
 * Online/away/offline from every socket of a user on every node. Going offline waits
 * PRESENCE_GRACE_MS after the last socket leaves, so a reload does not flap. Changes are
 * announced once (domain event `presence.changed`), to be fanned out to contacts.
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnApplicationShutdown {
  readonly nodeId = randomUUID();
  private readonly logger = new Logger('Presence');
  private readonly store: PresenceStore;
  private readonly offlineTimers = new Map<string, NodeJS.Timeout>();
  private beat?: NodeJS.Timeout;

  constructor(
    @Inject(REDIS) redis: RedisClient,
    private readonly config: AppConfig,
    private readonly contacts: ContactsRepository,
    private readonly events: DomainEventBus,
  ) {
    this.store = redis ? new RedisPresenceStore(redis) : new MemoryPresenceStore();
  }

  /** Beats three times per TTL, so one late beat does not declare a live node dead. */
  private get heartbeatMs(): number {
    return Math.floor(this.config.presenceNodeTtlMs / 3);
  }

  async onModuleInit(): Promise<void> {
    await this.store.heartbeat(this.nodeId, this.config.presenceNodeTtlMs);
    this.beat = setInterval(() => void this.tick(), this.heartbeatMs);
    this.beat.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.beat);
    for (const timer of this.offlineTimers.values()) clearTimeout(timer);
    this.offlineTimers.clear();
    await this.store.retire(this.nodeId).catch(() => undefined);
  }

  async connected(userId: string, socketId: string): Promise<void> {
    this.cancelOffline(userId);
    await this.store.add(userId, { socketId, nodeId: this.nodeId, status: 'online' });
    await this.refresh(userId);
  }

  async disconnected(userId: string, socketId: string): Promise<void> {
    await this.store.remove(userId, socketId);
    const left = await this.store.connections(userId);
    if (left.length > 0) {
      await this.refresh(userId);
      return;
    }
    const at = new Date();
    await this.contacts.markSeen(userId, at);
    this.cancelOffline(userId);
    const timer = setTimeout(() => void this.goOfflineIfGone(userId), this.config.presenceGraceMs);
    timer.unref();
    this.offlineTimers.set(userId, timer);
  }

  async set(userId: string, socketId: string, status: SocketStatus): Promise<void> {
    await this.store.setStatus(userId, socketId, status);
    await this.refresh(userId);
  }

  /** Whether the user has an open socket on any node, right now (no grace period). */
  /** The users who share a conversation with this one: who hears of their presence. */
  contactIds(userId: string): Promise<string[]> {
    return this.contacts.contactIds(userId);
  }

  async hasSockets(userId: string): Promise<boolean> {
    return (await this.store.connections(userId)).length > 0;
  }

  /** The announced status of each user; for online users lastSeenAt is now. */
  async statuses(userIds: string[]): Promise<PresenceView[]> {
    const lastSeen = await this.contacts.lastSeen(userIds);
    const now = new Date().toISOString();
    return Promise.all(
      userIds.map(async (userId) => {
        const announced = (await this.store.announced(userId)) as PresenceStatus | null;
        const status = announced ?? 'offline';
        const seen = lastSeen.get(userId) ?? null;
        return {
          userId,
          status,
          lastSeenAt: status === 'offline' ? (seen?.toISOString() ?? null) : now,
        };
      }),
    );
  }

  private async refresh(userId: string): Promise<void> {
    const sockets = await this.store.connections(userId);
    const status = presenceOf(sockets.map((s) => s.status));
    if (status === 'offline') return;
    const previous = await this.store.announce(userId, status);
    if (previous !== status) {
      this.events.emit('presence.changed', {
        userId,
        status,
        lastSeenAt: new Date().toISOString(),
      });
    }
  }

  private cancelOffline(userId: string): void {
    const timer = this.offlineTimers.get(userId);
    if (timer) clearTimeout(timer);
    this.offlineTimers.delete(userId);
  }

  private async goOfflineIfGone(userId: string): Promise<void> {
    this.offlineTimers.delete(userId);
    try {
      if ((await this.store.connections(userId)).length > 0) return;
      const previous = await this.store.announce(userId, 'offline');
      if (previous !== null && previous !== 'offline') {
        const seen = (await this.contacts.lastSeen([userId])).get(userId) ?? new Date();
        this.events.emit('presence.changed', {
          userId,
          status: 'offline',
          lastSeenAt: seen.toISOString(),
        });
      }
    } catch (err) {
      this.logger.warn(`offline check for ${userId} failed: ${(err as Error).message}`);
    }
  }

  /**
   * Heartbeat, then the reaper: sockets of nodes that stopped beating are dropped, and users
   * left with no socket anywhere go offline (their own node's grace timer died with it).
   */
  private async tick(): Promise<void> {
    try {
      await this.store.heartbeat(this.nodeId, this.config.presenceNodeTtlMs);
      const orphaned = await this.store.reapDeadNodes();
      for (const userId of orphaned) {
        if ((await this.store.connections(userId)).length === 0) {
          await this.contacts.markSeen(userId, new Date());
          await this.goOfflineIfGone(userId);
        }
      }
      // The safety net: a user still announced with no socket anywhere and no grace timer
      // here was stranded (their node died, or a write failed where they disconnected). Once
      // a grace period and a node TTL have passed since they were last seen (any node's timer
      // would have fired by then), they go offline; one never seen starts that clock now, and
      // one who no longer exists (their account was deleted) is forgotten. One query for all.
      const graceCutoff = Date.now() - this.config.presenceGraceMs - this.config.presenceNodeTtlMs;
      const stranded: string[] = [];
      for (const userId of await this.store.announcedPresent()) {
        if (this.offlineTimers.has(userId) || (await this.store.connections(userId)).length > 0)
          continue;
        stranded.push(userId);
      }
      const lastSeen = await this.contacts.lastSeen(stranded);
      await this.store.forget(stranded.filter((userId) => !lastSeen.has(userId)));
      await this.contacts.markSeenMany(
        stranded.filter((userId) => lastSeen.get(userId) === null),
        new Date(),
      );
      for (const [userId, seen] of lastSeen) {
        if (seen && seen.getTime() < graceCutoff) await this.goOfflineIfGone(userId);
      }
    } catch (err) {
      this.logger.warn(`presence tick failed: ${(err as Error).message}`);
    }
  }
}
