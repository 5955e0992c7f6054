import { expectErrorBody } from './support/error-body';
import { auth, createUser } from './support/factories';
import { API, startTestApp, TestApp } from './support/test-app';

const EMAIL_ADDRESS = /[\w.+-]+@[\w-]+(\.[\w-]+)+/;

describe('operations', () => {
  describe('with metrics enabled (the default)', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(() => t.close());

    it('answers GET /health with 200 {status: "ok"}', async () => {
      const res = await t.http().get('/health').expect(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('answers GET /health/ready with 200 naming the database as up', async () => {
      const res = await t.http().get('/health/ready').expect(200);
      expect(res.body).toMatchObject({
        status: 'ok',
        info: { database: { status: 'up' } },
      });
    });

    const withRedis = process.env.REDIS_URL ? it : it.skip;
    withRedis(
      'names Redis as up in GET /health/ready (runs only when REDIS_URL is set)',
      async () => {
        const res = await t.http().get('/health/ready').expect(200);
        expect(res.body.info).toMatchObject({ redis: { status: 'up' } });
      },
    );

    it('serves Prometheus text at GET /metrics with HTTP latency and process metrics', async () => {
      await t.http().get('/health').expect(200);
      const res = await t.http().get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toContain('# TYPE http_request_duration_seconds histogram');
      expect(res.text).toMatch(/^process_cpu\w*/m);
    });

    it('reveals no email address or user id in /metrics', async () => {
      const users = [await createUser(t), await createUser(t)];
      for (const user of users) {
        await t.http().get(`${API}/users/${user.id}`).set(auth(users[0].token)).expect(200);
        await t
          .http()
          .post(`${API}/auth/login`)
          .send({ email: user.email, password: 'password-123' })
          .expect(200);
      }
      const res = await t.http().get('/metrics').expect(200);
      for (const user of users) {
        expect(res.text).not.toContain(user.email);
        expect(res.text).not.toContain(user.id);
      }
      expect(res.text).not.toMatch(EMAIL_ADDRESS);
    });

    it('labels request latency by route pattern, not by concrete path', async () => {
      const user = await createUser(t);
      await t.http().get(`${API}/users/${user.id}`).set(auth(user.token)).expect(200);
      const res = await t.http().get('/metrics').expect(200);
      expect(res.text).toMatch(
        /http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/users\/:id"[^}]*\} \d+/,
      );
    });
  });

  describe('with METRICS_ENABLED=false', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({ METRICS_ENABLED: 'false' });
    });
    afterAll(() => t.close());

    it('answers GET /metrics with 404 NOT_FOUND as a JSON error body', async () => {
      expectErrorBody(await t.http().get('/metrics'), 404, 'NOT_FOUND');
    });

    it('still answers GET /health and GET /health/ready', async () => {
      await t.http().get('/health').expect(200);
      await t.http().get('/health/ready').expect(200);
    });
  });
});
