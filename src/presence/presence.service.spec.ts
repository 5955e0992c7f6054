import { EventEmitter2 } from '@nestjs/event-emitter';
import { DomainEventBus } from '../common/events/domain-event-bus';
import type { DomainEvents } from '../common/events/domain-events';
import type { AppConfig } from '../config/app-config';
import type { ContactsRepository } from './contacts.repository';
import { PresenceService } from './presence.service';

type PresenceChanged = DomainEvents['presence.changed'];

/** users.last_seen_at, in memory; `failNextWrite` makes the next markSeen fail like a lost connection. */
class LastSeen {
  readonly at = new Map<string, Date>();
  failNextWrite = false;

  lastSeen = async (ids: string[]) => new Map(ids.map((id) => [id, this.at.get(id) ?? null]));

  markSeen = async (userId: string, at: Date) => {
    if (this.failNextWrite) {
      this.failNextWrite = false;
      throw new Error('Connection terminated unexpectedly');
    }
    this.at.set(userId, at);
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
});
