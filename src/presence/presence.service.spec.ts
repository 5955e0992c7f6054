import { EventEmitter2 } from '@nestjs/event-emitter';
import { DomainEventBus } from '../common/events/domain-event-bus';
import type { DomainEvents } from '../common/events/domain-events';
import type { AppConfig } from '../config/app-config';
import type { ContactsRepository } from './contacts.repository';
import { PresenceService } from './presence.service';

type PresenceChanged = DomainEvents['presence.changed'];

/**
 * users.last_seen_at, in memory; `failNextWrite` makes the next write fail like a lost
 * connection; a `deleted` user has no row (lastSeen leaves them out, writes touch nothing).
 */
class LastSeen {
  readonly at = new Map<string, Date>();
  readonly deleted = new Set<string>();
  readonly writes: string[] = [];
  failNextWrite = false;
  lookups = 0;

  lastSeen = async (ids: string[]) =>
    ++this.lookups &&
    new Map(ids.filter((id) => !this.deleted.has(id)).map((id) => [id, this.at.get(id) ?? null]));

  markSeen = (userId: string, at: Date) => this.markSeenMany([userId], at);

  markSeenMany = async (userIds: string[], at: Date) => {
    if (userIds.length === 0) return;
    if (this.failNextWrite) {
      this.failNextWrite = false;
      throw new Error('Connection terminated unexpectedly');
    }
    for (const userId of userIds) {
      this.writes.push(userId);
      if (!this.deleted.has(userId)) this.at.set(userId, at);
    }
  };
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('PresenceService (one node, in memory)', () => {
  const config = { presenceGraceMs: 150, presenceNodeTtlMs: 300 } as AppConfig;
  let seen: LastSeen;
  let changes: PresenceChanged[];
  let presence: PresenceService;

  beforeEach(async () => {
    seen = new LastSeen();
    changes = [];
    const emitter = new EventEmitter2();
    emitter.on('presence.changed', (e: PresenceChanged) => changes.push(e));
    presence = new PresenceService(
      null,
      config,
      seen as unknown as ContactsRepository,
      { emit: (name: string, e: unknown) => emitter.emit(name, e) } as unknown as DomainEventBus,
    );
    await presence.onModuleInit();
  });

  afterEach(() => presence.onApplicationShutdown());

  it('goes offline once, a grace period after the last socket leaves', async () => {
    await presence.connected('u1', 's1');
    await presence.disconnected('u1', 's1');
    expect(changes.map((c) => c.status)).toEqual(['online']);
    await until(() => changes.length === 2, 3000);
    expect(changes[1]).toMatchObject({ userId: 'u1', status: 'offline' });
    expect(changes[1].lastSeenAt).toBe(seen.at.get('u1')?.toISOString());
  });

  it('a quick reconnect within the grace period announces nothing', async () => {
    await presence.connected('u1', 's1');
    await presence.disconnected('u1', 's1');
    await presence.connected('u1', 's2');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(changes.map((c) => c.status)).toEqual(['online']);
  });

  it('a user stranded by a failed write at disconnect, never seen before, still goes offline', async () => {
    await presence.connected('u1', 's1');
    seen.failNextWrite = true;
    await expect(presence.disconnected('u1', 's1')).rejects.toThrow('Connection terminated');
    await until(() => changes.some((c) => c.status === 'offline'), 5000);
    expect(changes.map((c) => c.status)).toEqual(['online', 'offline']);
    expect(seen.at.has('u1')).toBe(true);
    expect((await presence.statuses(['u1']))[0]).toMatchObject({
      status: 'offline',
      lastSeenAt: seen.at.get('u1')?.toISOString(),
    });
  });

  it('forgets a stranded user whose account is gone, instead of looking them up on every beat', async () => {
    await presence.connected('gone', 's1');
    seen.deleted.add('gone');
    seen.failNextWrite = true;
    await expect(presence.disconnected('gone', 's1')).rejects.toThrow('Connection terminated');
    await until(() => seen.writes.length === 0 && forgotten(), 5000);
    // two beats later nothing was written for them
    const lookups = seen.lookups;
    await until(() => seen.lookups >= lookups + 2, 5000);
    expect(seen.writes).toEqual([]);
    expect(changes.map((c) => c.status)).toEqual(['online']);

    function forgotten(): boolean {
      return !(
        presence as unknown as { store: { announcedStatus: Map<string, string> } }
      ).store.announcedStatus.has('gone');
    }
  });
});
