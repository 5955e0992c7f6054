import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import multer from 'multer';
import type { Observable } from 'rxjs';
import { AppError } from '../../common/errors/app-error';
import { AppConfig } from '../../config/app-config';
import { SpoolingStorageEngine } from './spooling-storage-engine';
import { UploadSpool } from './upload-spool';

/** The multipart field that carries the file. */
export const UPLOAD_FIELD = 'file';

const MiB = 1024 * 1024;
/**
 * After answering a refused upload, what the client is still sending is read and dropped for
 * at most this long and this much, then the connection is closed: a client that finishes in
 * that time keeps a usable connection, and one still sending has had time to read the answer
 * (closing on unread bytes resets the connection, and clients then report the reset instead of
 * the answer). The rest of a huge body is never read.
 */
const LINGER_MS = 1000;
const LINGER_BYTES = 4 * MiB;

/** The multipart body holds the one file and nothing else. */
const MULTIPART_LIMITS = { files: 1, fields: 0, parts: 1, headerPairs: 20 };

/**
 * Receives a `multipart/form-data` upload into the spool before the handler runs (the handler
 * gets it with `@UploadedFile()`). A refused upload is answered as soon as it is refused, while
 * the client may still be sending, and the rest of a too-large body is never read.
 */
@Injectable()
export class UploadInterceptor implements NestInterceptor {
  constructor(
    private readonly config: AppConfig,
    private readonly spool: UploadSpool,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    await this.receive(http.getRequest<Request>(), http.getResponse<Response>());
    return next.handle();
  }

  private receive(req: Request, res: Response): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const refuse = (err: unknown): void => {
        if (settled) return;
        settled = true;
        lingerAfterAnswer(req, res);
        reject(toUploadError(err));
      };
      const { maxImageBytes, maxAttachmentBytes, maxAudioBytes, maxAudioSeconds } =
        this.config.attachments;
      const storage = new SpoolingStorageEngine(
        this.spool,
        { maxImageBytes, maxAttachmentBytes, maxAudioBytes, maxAudioSeconds },
        refuse,
      );
      const upload = multer({ storage, limits: MULTIPART_LIMITS, defParamCharset: 'utf8' });
      upload.single(UPLOAD_FIELD)(req, res, (err?: unknown) => {
        if (err) return refuse(err);
        settled = true;
        resolve();
      });
    });
  }
}

/** Once the answer is out, drops what the client still sends for a moment, then the connection. */
function lingerAfterAnswer(req: Request, res: Response): void {
  // Arrived whole: multer reads the rest from memory.
  if (req.complete) return;
  res.once('close', () => {
    if (req.readableEnded || req.destroyed) return;
    if (!res.writableFinished) return void req.destroy();
    // The multipart parser stopped at the refusal; nothing of this is parsed or kept.
    req.unpipe();
    let dropped = 0;
    const timer = setTimeout(() => req.destroy(), LINGER_MS);
    timer.unref();
    req.on('data', (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > LINGER_BYTES) req.destroy();
    });
    req.once('end', () => clearTimeout(timer));
    req.once('close', () => clearTimeout(timer));
    req.resume();
  });
}

/** multer's and the multipart parser's errors in the API's terms. */
function toUploadError(err: unknown): Error {
  if (err instanceof AppError) return err;
  if (err instanceof multer.MulterError) {
    const field = err.code === 'LIMIT_UNEXPECTED_FILE' ? (err.field ?? 'file') : 'body';
    const reason =
      err.code === 'LIMIT_UNEXPECTED_FILE'
        ? `send the file as the multipart field "${UPLOAD_FIELD}"`
        : `send only the multipart field "${UPLOAD_FIELD}" (${err.message})`;
    return AppError.validation({ [field]: [reason] });
  }
  // Disk and other system errors are ours, not the client's.
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AppError(
    'VALIDATION_FAILED',
    { file: [`the upload is malformed: ${message}`] },
    { cause: err },
  );
}
