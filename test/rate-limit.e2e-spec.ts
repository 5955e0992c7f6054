import { randomInt, randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { expectErrorBody } from './support/error-body';
import { auth, createUser } from './support/factories';
import { API, startTestApp, TestApp } from './support/test-app';

/**
 * A client address of its own for each test: the app trusts `X-Forwarded-For` from loopback,
 * and with Redis the per-IP counters are shared by every suite that runs at the same time.
 */
const randomIp = (): string => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

function expectRateLimited(res: Response): void {
  expectErrorBody(res, 429, 'RATE_LIMITED');
  const retryAfter = res.headers['retry-after'];
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(60);
}

describe('rate limits', () => {
  describe('auth attempts per IP (RATE_LIMIT_AUTH_PER_MINUTE=3)', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '3' });
    });
    afterAll(() => t.close());

    const login = (ip: string) =>
      t
        .http()
        .post(`${API}/auth/login`)
        .set('X-Forwarded-For', ip)
        .send({ email: `nobody-${randomUUID()}@test.local`, password: 'password-123' });
    const register = (ip: string) =>
      t
        .http()
        .post(`${API}/auth/register`)
        .set('X-Forwarded-For', ip)
        .send({
          email: `rl-${randomUUID()}@test.local`,
          password: 'password-123',
          displayName: 'Rate Limited',
        });
    const refresh = (ip: string) =>
      t
        .http()
        .post(`${API}/auth/refresh`)
        .set('X-Forwarded-For', ip)
        .send({ refreshToken: `made-up-${randomUUID()}` });

    it('lets 3 login attempts from one IP through and refuses the 4th with 429 and Retry-After', async () => {
      const ip = randomIp();
      for (let i = 0; i < 3; i++) expectErrorBody(await login(ip), 401, 'INVALID_CREDENTIALS');
      expectRateLimited(await login(ip));
    });

    it('does not limit another IP when one is limited', async () => {
      const limited = randomIp();
      for (let i = 0; i < 3; i++) await login(limited).expect(401);
      expectRateLimited(await login(limited));
      expectErrorBody(await login(randomIp()), 401, 'INVALID_CREDENTIALS');
    });

    it('counts registrations: the 4th from one IP is 429', async () => {
      const ip = randomIp();
      for (let i = 0; i < 3; i++) await register(ip).expect(201);
      expectRateLimited(await register(ip));
    });

    it('counts refreshes: the 4th from one IP is 429', async () => {
      const ip = randomIp();
      for (let i = 0; i < 3; i++) expectErrorBody(await refresh(ip), 401, 'UNAUTHORIZED');
      expectRateLimited(await refresh(ip));
    });

    it('counts register, login and refresh against one budget per IP', async () => {
      const ip = randomIp();
      await register(ip).expect(201);
      await login(ip).expect(401);
      await refresh(ip).expect(401);
      expectRateLimited(await login(ip));
    });

    it('does not count authenticated requests from the same IP against the auth budget', async () => {
      const ip = randomIp();
      const { accessToken } = (await register(randomIp()).expect(201)).body;
      for (let i = 0; i < 5; i++) {
        await t
          .http()
          .get(`${API}/users/me`)
          .set('X-Forwarded-For', ip)
          .set(auth(accessToken))
          .expect(200);
      }
      expectErrorBody(await login(ip), 401, 'INVALID_CREDENTIALS');
    });
  });

  describe('REST requests per user (RATE_LIMIT_REQUESTS_PER_MINUTE=5)', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_REQUESTS_PER_MINUTE: '5' });
    });
    afterAll(() => t.close());

    // Unverified users: verifying them would spend the admin's own budget of 5.
    const newUser = () => createUser(t, { verified: false });

    it('refuses a user’s 6th request with 429 RATE_LIMITED and Retry-After', async () => {
      const user = await newUser();
      for (let i = 0; i < 5; i++) {
        await t.http().get(`${API}/users/me`).set(auth(user.token)).expect(200);
      }
      expectRateLimited(await t.http().get(`${API}/users/me`).set(auth(user.token)));
    });

    it('leaves another user unaffected when one is limited', async () => {
      const limited = await newUser();
      const other = await newUser();
      for (let i = 0; i < 5; i++) {
        await t.http().get(`${API}/users/me`).set(auth(limited.token)).expect(200);
      }
      expectRateLimited(await t.http().get(`${API}/users/me`).set(auth(limited.token)));
      await t.http().get(`${API}/users/me`).set(auth(other.token)).expect(200);
    });

    it('counts a user’s requests across different routes against one budget', async () => {
      const user = await newUser();
      const paths = ['/users/me', '/users/me/message-settings', '/users/me/blocks'];
      for (let i = 0; i < 5; i++) {
        await t
          .http()
          .get(`${API}${paths[i % paths.length]}`)
          .set(auth(user.token))
          .expect(200);
      }
      expectRateLimited(await t.http().get(`${API}/users/me`).set(auth(user.token)));
    });
  });
});
