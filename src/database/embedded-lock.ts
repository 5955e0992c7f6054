import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { lock } from 'proper-lockfile';

export class DataDirLockedError extends Error {
  constructor(dir: string) {
    super(
      `The embedded database in ${dir} is in use by another process. ` +
        'Stop that process first (or give this one its own DATA_DIR). ' +
        'If that process crashed, its lock expires within 15 seconds.',
    );
    this.name = 'DataDirLockedError';
  }
}

/**
 * PGlite takes no lock of its own: two processes on one folder lose writes. Holds an exclusive
 * lock on the folder for the life of the process and refuses a second holder.
 */
export async function lockDataDir(
  dir: string,
  onCompromised: (err: Error) => void,
): Promise<() => Promise<void>> {
  mkdirSync(dir, { recursive: true });
  try {
    return await lock(dir, {
      lockfilePath: join(dir, '.lock'),
      realpath: false,
      stale: 15_000,
      update: 5_000,
      onCompromised,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') throw new DataDirLockedError(dir);
    throw err;
  }
}
