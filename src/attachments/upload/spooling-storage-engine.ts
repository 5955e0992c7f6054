import type { Request } from 'express';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { StorageEngine } from 'multer';
import { AppError } from '../../common/errors/app-error';
import { probeAudio } from '../audio/audio-probe';
import {
  ALLOWED_EXTENSIONS,
  AllowedType,
  baseName,
  DOCX_MIME,
  typeForFilename,
} from './file-types';
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
  /** audio only: the recording's length */
  durationMs?: number;
}

export interface UploadLimits {
  maxImageBytes: number;
  maxAttachmentBytes: number;
  maxAudioBytes: number;
  maxAudioSeconds: number;
}

const limitOf = (type: AllowedType, limits: UploadLimits): number =>
  type.kind === 'image'
    ? limits.maxImageBytes
    : type.kind === 'audio'
      ? limits.maxAudioBytes
      : limits.maxAttachmentBytes;

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

  /** The length of a recording, refused with `413` when it is longer than allowed. */
  private async recordingLength(path: string, type: AllowedType): Promise<number> {
    const { durationMs } = await probeAudio(path, type.mime);
    const maxSeconds = this.limits.maxAudioSeconds;
    if (durationMs > maxSeconds * 1000) {
      throw new AppError('FILE_TOO_LARGE', { maxSeconds, durationMs });
    }
    return durationMs;
  }

  private async receive(file: Express.Multer.File): Promise<SpooledUpload> {
    const filename = baseName(file.originalname);
    const type = typeForFilename(filename);
    // Refused before a byte is read: the name alone says it is nothing we take.
    if (!type)
      throw unsupported(
        `the file name must end in ${ALLOWED_EXTENSIONS.map((ext) => `.${ext}`).join(', ')}`,
      );
    const inspector = new UploadInspector(type, limitOf(type, this.limits));
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
      const upload: SpooledUpload = {
        path,
        filename,
        type,
        size: inspector.bytes,
        sha256: inspector.sha256,
      };
      if (type.kind === 'audio') upload.durationMs = await this.recordingLength(path, type);
      return upload;
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
