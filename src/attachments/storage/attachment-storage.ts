import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

/** Inclusive byte offsets, as in a `Range` header. */
export interface ByteRange {
  start: number;
  end: number;
}

/** A fresh random name for stored bytes; nothing from the client is ever part of one. */
export const newStorageKey = (): string => randomBytes(16).toString('hex');

/** Where attachment bytes live: local disk, or an S3-compatible bucket. */
export abstract class AttachmentStorage {
  /** Stores the file at `source` (a spooled upload, which may be moved away) under `key`. */
  abstract put(
    key: string,
    source: string,
    meta: { contentType: string; size: number },
  ): Promise<void>;

  /** The stored bytes (only `range` of them when given); `404` when there are none. */
  abstract read(key: string, range?: ByteRange): Promise<Readable>;

  /** Removes the bytes under `key`; removing what is not there is not an error. */
  abstract delete(key: string): Promise<void>;
}
