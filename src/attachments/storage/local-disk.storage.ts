import { copyFile, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../../common/errors/app-error';
import { AttachmentStorage, ByteRange } from './attachment-storage';

const KEY = /^[0-9a-f]{32}$/;

const hasCode = (err: unknown, code: string): boolean =>
  (err as { code?: unknown } | null)?.code === code;

/**
 * Attachments as files under `UPLOAD_DIR`, at `<first two hex digits>/<key>`: the path is made
 * of the random key only, and a key that is not one refuses to become a path.
 */
export class LocalDiskStorage extends AttachmentStorage {
  constructor(private readonly root: string) {
    super();
  }

  async put(key: string, source: string): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    try {
      await rename(source, target);
    } catch (err) {
      // UPLOAD_DIR's spool is on another file system only if someone mounted one there.
      if (!hasCode(err, 'EXDEV')) throw err;
      await copyFile(source, target);
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const file = await open(this.pathOf(key), 'r');
      return file.createReadStream({ start: range?.start, end: range?.end });
    } catch (err) {
      if (hasCode(err, 'ENOENT')) throw AppError.notFound();
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  private pathOf(key: string): string {
    if (!KEY.test(key)) throw new Error(`not a storage key: ${JSON.stringify(key)}`);
    return join(this.root, key.slice(0, 2), key);
  }
}
