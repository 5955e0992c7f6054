import { Injectable } from '@nestjs/common';
import { Sql } from '../../database/sql';
import { OUTBOX_LEASE_SECONDS } from './outbox-lease';

/** An event of the outbox, without its stored payload. */
export interface OutboxEvent {
  id: string;
  event_id: string;
  name: string;
}

export interface OutboxRow extends OutboxEvent {
  payload: Record<string, unknown>;
}

/** The outbox table: durable events committed with their change (DESIGN.md). */
@Injectable()
export class OutboxRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Writes an event in the caller's transaction, leased to this node: it dispatches the event
   * itself right after the commit, and nobody else does unless the lease runs out first.
   */
  async insert(name: string, payload: object): Promise<OutboxRow> {
    const [inserted] = await this.sql.rows<OutboxRow>(
      `INSERT INTO outbox (name, payload, claimed_until)
       VALUES ($1, $2, now() + make_interval(secs => $3))
       RETURNING id, event_id, name, payload`,
      [name, JSON.stringify(payload), OUTBOX_LEASE_SECONDS],
      { prepared: true },
    );
    return inserted;
  }

  /**
   * Claims up to `limit` events nobody holds (their writer died before dispatching them, or
   * its lease ran out), oldest first. Rows another node is claiming are skipped, not waited
   * for, so nodes share the backlog and no event is claimed by two at once.
   */
  claim(limit: number): Promise<OutboxRow[]> {
    return this.sql.rows<OutboxRow>(
      `UPDATE outbox o
          SET claimed_until = now() + make_interval(secs => $2), attempts = o.attempts + 1
        WHERE o.id IN (SELECT id FROM outbox WHERE claimed_until < now()
                        ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING o.id, o.event_id, o.name, o.payload`,
      [limit, OUTBOX_LEASE_SECONDS],
    );
  }

  /** Dispatched events are pruned. */
  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.sql.run(`DELETE FROM outbox WHERE id = ANY($1::bigint[])`, [ids], {
      generic: true,
    });
  }

  /** Events not yet dispatched (tests and the drain). */
  async pending(): Promise<number> {
    const found = await this.sql.row<{ n: string }>(`SELECT count(*) AS n FROM outbox`);
    return Number(found?.n ?? 0);
  }
}
