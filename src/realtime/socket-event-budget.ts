import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { RateLimiter } from '../common/rate-limit/rate-limiter';
import { AppConfig } from '../config/app-config';

/**
 * Refused events a socket may still send before its budget's window ends; one more and it is
 * disconnected. A client that honours `retryAfterMs` never gets near it.
 */
export const FLOOD_TOLERANCE = 20;

/** Per socket: how many events were refused since the budget ran out, and until when. */
export interface FloodState {
  refused: number;
  until: number;
}

/** What to do with an event: run it, refuse it, or refuse it and drop the socket. */
export type BudgetVerdict = { ok: true } | { ok: false; error: AppError; disconnect: boolean };

/**
 * The per-user budget of socket events other than `message:send` (which has its own limit):
 * `RATE_LIMIT_SOCKET_EVENTS_PER_MINUTE`, counted by the RateLimiter (shared through Redis when
 * configured, so across nodes).
 */
@Injectable()
export class SocketEventBudget {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly config: AppConfig,
  ) {}

  async spend(user: AuthUser, flood: FloodState, now = Date.now()): Promise<BudgetVerdict> {
    try {
      this.limiter.consume('socket-events', user.id, this.config.rateLimits.socketEventsPerMinute);
      return { ok: true };
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'RATE_LIMITED') throw err;
      return { ok: false, error: err, disconnect: this.refused(flood, err, now) };
    }
  }

  /** Counts a refusal; true once the socket went on past FLOOD_TOLERANCE of them. */
  private refused(flood: FloodState, err: AppError, now: number): boolean {
    if (now >= flood.until) flood.refused = 0;
    flood.refused += 1;
    flood.until = Math.max(flood.until, now + Number(err.details?.retryAfterMs ?? 1000));
    return flood.refused > FLOOD_TOLERANCE;
  }
}
