import { randomUUID } from 'node:crypto';
import { chat } from './support/chat';
import { expectErrorBody, expectValidationError } from './support/error-body';
import { auth, createUser, TestUser } from './support/factories';
import { API, startTestApp, TestApp } from './support/test-app';

const METRICS_TOKEN = 'metrics-token-for-tests-0123';

describe('the edge: bad input, headers, limits (issue 16)', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let conversationId: string;

  beforeAll(async () => {
    t = await startTestApp({ METRICS_TOKEN });
    [alice, bob] = [await createUser(t), await createUser(t)];
    conversationId = (await chat(t).direct(alice, bob)).id;
    await chat(t).send(alice, conversationId, 'first');
  });
  afterAll(() => t.close());

  describe('bad input never reaches a 5xx', () => {
    it.each([9223372036854776000, 2 ** 53, 1e300])(
      'answers POST /conversations/:id/read with upToSeq %d as 400 naming upToSeq',
      async (upToSeq) => {
        const res = await t
          .http()
          .post(`${API}/conversations/${conversationId}/read`)
          .set(auth(bob.token))
          .send({ upToSeq });
        expectValidationError(res, ['upToSeq']);
        const after = await chat(t).get(bob, conversationId);
        expect(after.unreadCount).toBe(1);
      },
    );

    it('answers a message history query with beforeSeq beyond a bigint as 400', async () => {
      const res = await t
        .http()
        .get(`${API}/conversations/${conversationId}/messages?beforeSeq=99999999999999999999`)
        .set(auth(alice.token));
      expectValidationError(res, ['beforeSeq']);
    });

    it('answers POST and DELETE /users/:id/block for a user that does not exist with 404', async () => {
      const missing = randomUUID();
      for (const method of ['post', 'delete'] as const) {
        const res = await t.http()[method](`${API}/users/${missing}/block`).set(auth(alice.token));
        expectErrorBody(res, 404, 'NOT_FOUND');
      }
      const blocks = await t.http().get(`${API}/users/me/blocks`).set(auth(alice.token));
      expect(blocks.body.items).toEqual([]);
    });

    it.each([
      ['get', '/users/me'],
      ['post', '/auth/login'],
      ['get', '/conversations/:id'],
      ['post', '/conversations/:id/read'],
      ['get', '/conversations'],
    ])('refuses unknown query parameters on %s %s, naming them', async (method, path) => {
      const res = await t
        .http()
        [method as 'get' | 'post'](`${API}${path.replace(':id', conversationId)}?x=1&other=2`)
        .set(auth(alice.token))
        .send(path === '/auth/login' ? { email: alice.email, password: 'password-123' } : {});
      expectValidationError(res, ['x', 'other']);
    });

    it('changes nothing when a write is refused for its query', async () => {
      const before = await t.http().get(`${API}/users/me`).set(auth(alice.token)).expect(200);
      const res = await t
        .http()
        .patch(`${API}/users/me?displayName=Mallory`)
        .set(auth(alice.token))
        .send({ displayName: 'Renamed' });
      expectValidationError(res, ['displayName']);
      const after = await t.http().get(`${API}/users/me`).set(auth(alice.token)).expect(200);
      expect(after.body).toEqual(before.body);
    });

    it('lets the root routes ignore query parameters', async () => {
      await t.http().get('/health?x=1').expect(200);
      await t.http().get('/health/ready?x=1').expect(200);
      await t.http().get('/docs-json?x=1').expect(200);
      await t.http().get('/metrics?x=1').set(auth(METRICS_TOKEN)).expect(200);
    });

    it('answers a JSON body over 1 MiB with 413 PAYLOAD_TOO_LARGE and accepts one just under', async () => {
      const big = { content: 'x'.repeat(1024 * 1024) };
      const res = await t
        .http()
        .post(`${API}/conversations/${conversationId}/messages`)
        .set(auth(alice.token))
        .send(big);
      expectErrorBody(res, 413, 'PAYLOAD_TOO_LARGE');
      const under = await t
        .http()
        .patch(`${API}/users/me`)
        .set(auth(alice.token))
        .send({ displayName: 'x'.repeat(1000 * 1000) });
      expectValidationError(under, ['displayName']);
    });
  });

  describe('safe defaults', () => {
    it('sends helmet headers and no X-Powered-By on JSON answers and errors', async () => {
      for (const res of [
        await t.http().get('/health'),
        await t.http().get(`${API}/users/me`),
        await t.http().get('/nowhere'),
      ]) {
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['content-security-policy']).toContain("default-src 'self'");
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('serves /docs with a CSP that allows its own scripts, styles and the document', async () => {
      const res = await t.http().get('/docs/').expect(200);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ wss:\/\/127\.0\.0\.1:\d+/);
      expect(csp).not.toContain('unsafe-eval');
      expect(csp).not.toContain('upgrade-insecure-requests');
      // every script of the page is a same-origin file: the CSP needs no inline script
      expect(res.text).not.toMatch(/<script>(?!\s*<\/script>)/);
      for (const src of res.text.match(/src="[^"]+"/g) ?? []) {
        expect(src).toMatch(/^src="\.?\/?[\w./-]+"$/);
      }
    });

    it('requires the METRICS_TOKEN as a bearer token on /metrics', async () => {
      expectErrorBody(await t.http().get('/metrics'), 401, 'UNAUTHORIZED');
      expectErrorBody(
        await t
          .http()
          .get('/metrics')
          .set(auth(`${METRICS_TOKEN}x`)),
        401,
        'UNAUTHORIZED',
      );
      const ok = await t.http().get('/metrics').set(auth(METRICS_TOKEN)).expect(200);
      expect(ok.text).toContain('# TYPE');
    });
  });
});

describe('configured edge', () => {
  it('does not serve /docs* with DOCS_ENABLED=false', async () => {
    const t = await startTestApp({ DOCS_ENABLED: 'false' });
    try {
      for (const path of ['/docs', '/docs-json', '/docs/events-json']) {
        expectErrorBody(await t.http().get(path), 404, 'NOT_FOUND');
      }
    } finally {
      await t.close();
    }
  });

  it('believes X-Forwarded-For only from TRUST_PROXY, so the auth limit is per client', async () => {
    const t = await startTestApp({ TRUST_PROXY: '1', RATE_LIMIT_AUTH_PER_MINUTE: '2' });
    try {
      const login = (ip: string) =>
        t
          .http()
          .post(`${API}/auth/login`)
          .set('X-Forwarded-For', ip)
          .send({ email: 'nobody@test.local', password: 'password-123' });
      expect((await login('203.0.113.1')).status).toBe(401);
      expect((await login('203.0.113.1')).status).toBe(401);
      expectErrorBody(await login('203.0.113.1'), 429, 'RATE_LIMITED');
      expect((await login('203.0.113.2')).status).toBe(401);
    } finally {
      await t.close();
    }
  });

  it('ignores X-Forwarded-For from a peer TRUST_PROXY does not name', async () => {
    // the test client is on loopback, which TRUST_PROXY=10.0.0.0/8 does not trust
    const t = await startTestApp({ TRUST_PROXY: '10.0.0.0/8', RATE_LIMIT_AUTH_PER_MINUTE: '1' });
    try {
      const login = (ip: string) =>
        t
          .http()
          .post(`${API}/auth/login`)
          .set('X-Forwarded-For', ip)
          .send({ email: 'nobody@test.local', password: 'password-123' });
      // the first may already count against 127.0.0.1 (a shared Redis counts every suite's logins)
      expect([401, 429]).toContain((await login('203.0.113.1')).status);
      expectErrorBody(await login('203.0.113.2'), 429, 'RATE_LIMITED');
    } finally {
      await t.close();
    }
  });
});
