/** A message as the sweep scans it, in seq order. */
export interface ScannedMessage {
  id: string;
  seq: string;
  /** created before the cutoff */
  expired: boolean;
  deleted: boolean;
  thread_root_id: string | null;
}

/** What to do with one scanned batch of a conversation's messages. */
export interface BatchPlan {
  /** expired live messages without an open flag: they become tombstones */
  doomed: ScannedMessage[];
  /** the last seq looked at (the next batch starts after it) */
  scannedTo: string | null;
  /** the highest seq below which nothing is left to do (no live expired or kept message) */
  settledTo: string | null;
  /** an unexpired message, or the end, was reached: nothing more to do in the conversation */
  reachedCutoff: boolean;
  /** a message kept for an open flag was met (now or in an earlier batch): the watermark stays below it */
  blocked: boolean;
}

/**
 * Decides a batch: `scanned` are up to `limit` messages after the watermark, by seq; since
 * created_at rises with seq, past the first unexpired message nothing is expired.
 */
export function planBatch(
  scanned: ScannedMessage[],
  flagged: ReadonlySet<string>,
  limit: number,
  blockedBefore: boolean,
): BatchPlan {
  const plan: BatchPlan = {
    doomed: [],
    scannedTo: null,
    settledTo: null,
    reachedCutoff: scanned.length < limit,
    blocked: blockedBefore,
  };
  for (const m of scanned) {
    if (!m.expired) {
      plan.reachedCutoff = true;
      break;
    }
    plan.scannedTo = m.seq;
    if (!m.deleted && flagged.has(m.id)) plan.blocked = true;
    else if (!m.deleted) plan.doomed.push(m);
    if (!plan.blocked) plan.settledTo = m.seq;
  }
  return plan;
}
