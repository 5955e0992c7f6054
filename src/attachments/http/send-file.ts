import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { FileReply } from '../attachments.service';
import type { DownloadConditions } from './file-response';

const logger = new Logger('AttachmentDownload');

const header = (req: Request, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/** The conditional and range headers of a download request. */
export function conditionsOf(req: Request): DownloadConditions {
  return {
    ifNoneMatch: header(req, 'if-none-match'),
    range: header(req, 'range'),
    ifRange: header(req, 'if-range'),
  };
}

/**
 * Writes a download: status and headers, then the bytes as they stream from storage. A client
 * that goes away mid-way stops the read from storage too.
 */
export function sendFile(req: Request, res: Response, reply: FileReply): void {
  res.status(reply.status).set(reply.headers);
  if (!reply.body || req.method === 'HEAD') {
    reply.body?.destroy();
    res.end();
    return;
  }
  pipeline(reply.body, res).catch((err: unknown) => {
    if ((err as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    logger.warn({ err }, 'a download stopped before its end');
  });
}
