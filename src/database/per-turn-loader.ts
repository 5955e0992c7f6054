import DataLoader from 'dataloader';

/**
 * How many batches of one loader may be at the database at once. Lookups that arrive while
 * they are wait, and go together in the next batch: under load a loader makes one query per
 * round trip instead of one per turn of the event loop, as the group commit does for writes.
 */
const IN_FLIGHT = 2;

/**
 * Lookups made in one turn of the event loop (or while the loader's earlier batches are at the
 * database), sent to the database as one query. Under load most requests start with the same
 * lookup (the caller's session, their membership), and one query for all of them costs about
 * what one of them did. Nothing is cached: every lookup reads the database as it is when its
 * batch goes. `load` answers one value (or null) per key, in key order; when a whole batch
 * fails, each key is asked again on its own, so one bad key fails only itself.
 */
export function perTurnLoader<K, V>(
  load: (keys: readonly K[]) => Promise<(V | null)[]>,
): DataLoader<K, V | null, K> {
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const finished = () => {
    inFlight--;
    waiting.shift()?.();
  };
  return new DataLoader<K, V | null, K>(
    async (keys) => {
      try {
        return await load(keys);
      } catch (err) {
        if (keys.length === 1) return [err as Error];
        return Promise.all(
          keys.map((k) =>
            load([k]).then(
              ([value]) => value,
              (e: Error) => e,
            ),
          ),
        );
      } finally {
        finished();
      }
    },
    {
      cache: false,
      maxBatchSize: 500,
      // the batch stays open (keys join it) until it is dispatched
      batchScheduleFn: (dispatch) =>
        setImmediate(() => {
          const go = () => {
            inFlight++;
            dispatch();
          };
          if (inFlight < IN_FLIGHT) go();
          else waiting.push(go);
        }),
    },
  );
}
