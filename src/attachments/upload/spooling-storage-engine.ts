import type { Request } from 'express';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { StorageEngine } from 'multer';
import { AllowedType, baseName, DOCX_MIME, typeForFilename } from './file-types';
import { sniffFile } from './file-sniffer';
import { unsupported, UploadInspector } from './upload-inspector';
import { UploadSpool } from './upload-spool';

/** An upload that passed every check on its way in, waiting in the spool. */
export interface SpooledUpload {
  path: string;
  /** the base name the client gave */
  filename: string;
  type: AllowedType;
  size: number;
  sha256: string;
}

export interface UploadLimits {
  maxImageBytes: number;
  maxAttachmentBytes: number;
}

/** Calls `done` once the request has arrived whole, been read to its end, or been dropped. */
function whenOver(req: Request, done: () => void): void {
  if (req.complete || req.readableEnded || req.destroyed) return done();
  let called = false;
  const over = (): void => {
    if (!called) done();
    called = true;
  };
  req.once('end', over);
  req.once('close', over);
}

/**
 * A multer storage engine that streams the file through an `UploadInspector` into the spool.
 * A refused upload is reported at once through `onRefused`, so the answer can go out while the
 * client is still sending; multer hears of it only when the request is over, since it would
 * otherwise read the body to its end before answering.
 */
export class SpoolingStorageEngine implements StorageEngine {
  constructor(
    private readonly spool: UploadSpool,
    private readonly limits: UploadLimits,
    private readonly onRefused: (err: unknown) => void,
  ) {}

  _handleFile(
    req: Request,
    file: Express.Multer.File,
    callback: (error?: unknown, info?: Partial<Express.Multer.File>) => void,
  ): void {
    this.receive(file).then(
      (upload) => callback(null, upload as unknown as Partial<Express.Multer.File>),
      (err: unknown) => {
        this.onRefused(err);
        whenOver(req, () => callback(err));
      },
    );
  }

  _removeFile(
    _req: Request,
    file: Express.Multer.File,
    callback: (error: Error | null) => void,
  ): void {
    this.spool.remove(file.path).then(
      () => callback(null),
      (err: Error) => callback(err),
    );
  }

  private async receive(file: Express.Multer.File): Promise<SpooledUpload> {
    const filename = baseName(file.originalname);
    const type = typeForFilename(filename);
    // Refused before a byte is read: the name alone says it is nothing we take.
    if (!type)
      throw unsupported(
        'the file name must end in .jpg, .png, .gif, .webp, .pdf, .txt, .doc or .docx',
      );
    const limit =
      type.kind === 'image' ? this.limits.maxImageBytes : this.limits.maxAttachmentBytes;
    const inspector = new UploadInspector(type, limit);
    const path = this.spool.newPath();
    const sink = createWriteStream(path, { flags: 'wx' });
    // Not pipeline(file.stream, …): on a refusal that would destroy the multipart stream, and
    // multer would then read the body to its end. Unpiped, the file stream fills up and the
    // parser stops reading the request.
    const source = file.stream;
    source.on('error', (err) => inspector.destroy(err));
    source.pipe(inspector);
    try {
      await pipeline(inspector, sink);
      if (type.mime === DOCX_MIME && (await sniffFile(path)) !== DOCX_MIME)
        throw unsupported('the file is not a Word document');
      return { path, filename, type, size: inspector.bytes, sha256: inspector.sha256 };
    } catch (err) {
      source.unpipe(inspector);
      source.pause();
      // A refusal can come before the spool file is even open: remove it once it is closed.
      if (!sink.closed) await once(sink, 'close').catch(() => undefined);
      await this.spool.remove(path);
      throw err;
    }
  }
}
