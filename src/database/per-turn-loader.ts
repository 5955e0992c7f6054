import DataLoader from 'dataloader';

/**
 * Lookups made in one turn of the event loop, sent to the database as one query. Under load
 * most requests start with the same lookup (the caller's session, their membership), and one
 * query for all of them costs about what one of them did. Nothing is cached: every lookup
 * reads the database as it is. `load` answers one value (or null) per key, in key order; when
 * a whole batch fails, each key is asked again on its own, so one bad key fails only itself.
 */
export function perTurnLoader<K, V>(
  load: (keys: readonly K[]) => Promise<(V | null)[]>,
): DataLoader<K, V | null, K> {
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
      }
    },
    { cache: false, batchScheduleFn: (run) => setImmediate(run), maxBatchSize: 500 },
  );
}
