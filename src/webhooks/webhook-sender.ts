import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Agent, request } from 'undici';
import { AppConfig } from '../config/app-config';
import { isPublicAddress, literalAddress, publicOnlyLookup } from './webhook-address';

/** A delivery attempt that got no 2xx within this long failed (API.md). */
export const TOTAL_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 5_000;
/** At most this much of an answer is read (and then dropped): a receiver cannot flood us. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
const MAX_ERROR_LENGTH = 500;

export interface SendResult {
  ok: boolean;
  /** the receiver's HTTP status, when it answered */
  status: number | null;
  /** why the attempt failed; null when it succeeded */
  error: string | null;
}

const failed = (error: string, status: number | null = null): SendResult => ({
  ok: false,
  status,
  error: error.slice(0, MAX_ERROR_LENGTH),
});

function describe(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${TOTAL_TIMEOUT_MS / 1000} s`;
  }
  const e = err as Error & { cause?: Error; code?: string };
  const cause = e.cause?.message ? `: ${e.cause.message}` : '';
  return `${e.code ? `${e.code} ` : ''}${e.message}${cause}`;
}

/** Reads at most `max` bytes of a body and drops the rest (ending the stream). */
async function drainBounded(body: AsyncIterable<Buffer>, max: number): Promise<void> {
  let read = 0;
  for await (const chunk of body) {
    read += chunk.length;
    if (read >= max) break;
  }
}

/**
 * The HTTP side of a delivery: one `POST`, no redirects followed (a 3xx is a failure), 5 s to
 * connect and 10 s in all, a bounded read of the answer. Unless `WEBHOOK_ALLOW_PRIVATE_URLS`,
 * only https, and only to public addresses: checked on the address each connection resolves
 * to (DNS rebinding), not only when the webhook was saved.
 */
@Injectable()
export class WebhookSender implements OnModuleDestroy {
  private readonly allowPrivate: boolean;
  private readonly agent: Agent;

  constructor(config: AppConfig) {
    this.allowPrivate = config.webhooks.allowPrivateUrls;
    this.agent = new Agent({
      connect: {
        timeout: CONNECT_TIMEOUT_MS,
        ...(this.allowPrivate ? {} : { lookup: publicOnlyLookup }),
      },
      headersTimeout: TOTAL_TIMEOUT_MS,
      bodyTimeout: TOTAL_TIMEOUT_MS,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }

  async send(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const target = new URL(url);
    if (!this.allowPrivate) {
      if (target.protocol !== 'https:') return failed('only https URLs are allowed');
      const literal = literalAddress(target.hostname);
      if (literal && !isPublicAddress(literal)) {
        return failed(`${literal} is a private, loopback or link-local address`);
      }
    }
    try {
      const res = await request(target, {
        method: 'POST',
        headers,
        body,
        dispatcher: this.agent,
        signal: AbortSignal.timeout(TOTAL_TIMEOUT_MS),
      });
      await drainBounded(res.body, MAX_RESPONSE_BYTES);
      const status = res.statusCode;
      if (status >= 200 && status < 300) return { ok: true, status, error: null };
      if (status >= 300 && status < 400) return failed(`redirect (${status}) not followed`, status);
      return failed(`HTTP ${status}`, status);
    } catch (err) {
      return failed(describe(err));
    }
  }
}
