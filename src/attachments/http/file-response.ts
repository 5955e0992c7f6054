import { create as contentDisposition } from 'content-disposition';
import parseRange from 'range-parser';
import type { ByteRange } from '../storage/attachment-storage';

/** What a download's request asks beyond the bytes. */
export interface DownloadConditions {
  ifNoneMatch?: string;
  range?: string;
  ifRange?: string;
}

/** What is known of stored bytes before reading them. */
export interface FileFacts {
  size: number;
  /** a strong entity tag, quoted */
  etag: string;
  contentType: string;
  filename: string;
  /** images are shown where they are opened; other files are saved */
  inline: boolean;
}

export type FilePlan = { status: 304 } | { status: 200 } | { status: 206; range: ByteRange };

const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');

/** Whether an `If-None-Match` list matches the tag (weak comparison, as RFC 9110 asks). */
export function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => opaque(tag) === etag);
}

/**
 * The answer a download gets: `304` when the client's copy is current, `206` for one
 * satisfiable byte range (when `If-Range`, if any, still names these bytes), else `200` with
 * the whole file. Several ranges, or none that fits, are answered with the whole file, which
 * RFC 9110 allows.
 */
export function planDownload(facts: FileFacts, c: DownloadConditions): FilePlan {
  if (c.ifNoneMatch !== undefined && etagMatches(c.ifNoneMatch, facts.etag)) return { status: 304 };
  if (c.range === undefined || facts.size === 0) return { status: 200 };
  if (c.ifRange !== undefined && c.ifRange.trim() !== facts.etag) return { status: 200 };
  const ranges = parseRange(facts.size, c.range, { combine: true });
  if (!Array.isArray(ranges) || ranges.type !== 'bytes' || ranges.length !== 1)
    return { status: 200 };
  return { status: 206, range: { start: ranges[0].start, end: ranges[0].end } };
}

/** The headers of a planned download. */
export function downloadHeaders(facts: FileFacts, plan: FilePlan): Record<string, string> {
  const headers: Record<string, string> = {
    ETag: facts.etag,
    // Access can end (the message is deleted, the member leaves): caches ask every time.
    'Cache-Control': 'private, no-cache',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
  };
  if (plan.status === 304) return headers;
  headers['Content-Type'] =
    facts.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : facts.contentType;
  headers['Content-Disposition'] = contentDisposition(facts.filename, {
    type: facts.inline ? 'inline' : 'attachment',
  });
  headers['Accept-Ranges'] = 'bytes';
  if (plan.status === 206) {
    const { start, end } = plan.range;
    headers['Content-Range'] = `bytes ${start}-${end}/${facts.size}`;
    headers['Content-Length'] = String(end - start + 1);
  } else {
    headers['Content-Length'] = String(facts.size);
  }
  return headers;
}
