import { Client } from 'pg';

/**
 * Resolves once another backend waits for a lock that `holder`'s session holds (pg_locks), so a
 * test acts knowing the statement under test is queued behind it. Polls every few ms, with a
 * deadline. Resolves with the waiting backends' pids.
 */
export async function waitUntilBlockedBy(holder: Client, timeoutMs = 5000): Promise<number[]> {
  const { rows } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const holderPid = rows[0].pid;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const waiting = await holder.query<{ pid: number }>(
      `SELECT DISTINCT pid FROM pg_locks
        WHERE NOT granted AND pid <> $1 AND pg_blocking_pids(pid) @> ARRAY[$1::int]`,
      [holderPid],
    );
    if (waiting.rows.length > 0) return waiting.rows.map((r) => r.pid);
    if (Date.now() > deadline) throw new Error(`nothing waited on backend ${holderPid}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
