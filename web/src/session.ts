import { api, ok } from './api/client';
import type { User } from './api/types';

const KEY = 'messaging.session';
/** refresh this long before the access token expires */
const REFRESH_MARGIN_MS = 60_000;

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  user: User;
}

type Listener = (tokens: Tokens | null) => void;

/** Seconds-since-epoch expiry of a JWT, or 0 when it cannot be read. */
export function tokenExpiry(token: string): number {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as {
      exp?: unknown;
    };
    return typeof payload.exp === 'number' ? payload.exp : 0;
  } catch {
    return 0;
  }
}

/**
 * The signed-in session, kept in localStorage so that it survives a reload and is shared by
 * every tab. A refresh token is spent by its use (a second use revokes the whole chain), so tabs
 * refresh one at a time under a Web Lock and a tab that waited takes the tokens another wrote.
 */
export class Session {
  private tokens: Tokens | null = read();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<Listener>();
  private refreshing: Promise<void> | null = null;

  constructor() {
    window.addEventListener('storage', (e) => {
      if (e.key !== KEY) return;
      this.tokens = read();
      this.schedule();
      this.emit();
    });
    this.schedule();
  }

  get current(): Tokens | null {
    return this.tokens;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** stores a new session (sign-in, sign-up) */
  start(tokens: Tokens): void {
    this.save(tokens);
  }

  setUser(user: User): void {
    if (this.tokens) this.save({ ...this.tokens, user });
  }

  async accessToken(): Promise<string | null> {
    if (!this.tokens) return null;
    if (tokenExpiry(this.tokens.accessToken) * 1000 - Date.now() < REFRESH_MARGIN_MS) {
      await this.refresh();
    }
    return this.tokens?.accessToken ?? null;
  }

  /** Exchanges the refresh token once, whichever tab asks first. */
  refresh(): Promise<void> {
    this.refreshing ??= this.lockAndRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  async signOut(): Promise<void> {
    const tokens = this.tokens;
    this.clear();
    if (tokens) {
      await api
        .POST('/api/v1/auth/logout', {
          body: { refreshToken: tokens.refreshToken },
          headers: { Authorization: `Bearer ${tokens.accessToken}` },
        })
        .catch(() => undefined);
    }
  }

  clear(): void {
    this.tokens = null;
    localStorage.removeItem(KEY);
    this.schedule();
    this.emit();
  }

  private async lockAndRefresh(): Promise<void> {
    const run = () => this.exchange();
    if (navigator.locks) await navigator.locks.request('messaging.refresh', run);
    else await run();
  }

  private async exchange(): Promise<void> {
    const stored = read();
    if (!stored) return this.clear();
    if (stored.refreshToken !== this.tokens?.refreshToken) {
      // another tab refreshed while this one waited for the lock
      this.tokens = stored;
      this.schedule();
      return;
    }
    try {
      const pair = await ok(
        api.POST('/api/v1/auth/refresh', { body: { refreshToken: stored.refreshToken } }),
      );
      this.save({ ...stored, ...pair });
    } catch (err) {
      if ((err as { body?: { statusCode?: number } }).body?.statusCode === 401) this.clear();
      else throw err;
    }
  }

  private save(tokens: Tokens): void {
    this.tokens = tokens;
    localStorage.setItem(KEY, JSON.stringify(tokens));
    this.schedule();
    this.emit();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.tokens) return;
    const due = tokenExpiry(this.tokens.accessToken) * 1000 - REFRESH_MARGIN_MS - Date.now();
    this.timer = setTimeout(
      () => {
        this.refresh().catch(() => undefined);
      },
      Math.max(1_000, Math.min(due, 2 ** 31 - 1)),
    );
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.tokens);
  }
}

function read(): Tokens | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Tokens) : null;
  } catch {
    return null;
  }
}
