import { retryAfterMs } from './fcm-sender';

describe('retryAfterMs', () => {
  it('reads seconds', () => {
    expect(retryAfterMs('30')).toBe(30_000);
    expect(retryAfterMs(' 0 ')).toBe(0);
  });

  it('reads an HTTP date as the time until it, never negative', () => {
    const now = Date.parse('2026-12-05T12:00:00Z');
    expect(retryAfterMs('Sat, 05 Dec 2026 12:00:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs('Sat, 05 Dec 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('gives null when the header is absent or unreadable', () => {
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
  });
});
