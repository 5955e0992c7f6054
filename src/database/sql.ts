import type { DataSource, EntityManager } from 'typeorm';

type Queryable = Pick<DataSource | EntityManager, 'query'>;

/**
 * Runs a statement and returns its rows. TypeORM answers UPDATE and DELETE with
 * `[rows, rowCount]` and everything else with the rows; this hides the difference.
 */
export async function rows<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  const result: unknown = await db.query(sql, params);
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}

/** The first row, or null. */
export async function row<T>(
  db: Queryable,
  sql: string,
  params: unknown[] = [],
): Promise<T | null> {
  const all = await rows<T>(db, sql, params);
  return all[0] ?? null;
}
