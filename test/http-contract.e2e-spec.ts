import { randomUUID } from 'node:crypto';
import { ARABIC_LETTER, expectErrorBody } from './support/error-body';
import { auth, createUser } from './support/factories';
import { API, startTestApp, TestApp } from './support/test-app';

const KIB = 1024;

describe('HTTP contract', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const registration = (email: string) => ({
    email,
    password: 'password-123',
    displayName: 'Raw Body',
  });
  const login = (email: string) =>
    t.http().post(`${API}/auth/login`).send({ email, password: 'password-123' });

  describe('request bodies', () => {
    it('refuses a text/plain body to register with 400 and creates no user', async () => {
      const email = `plain-${randomUUID()}@test.local`;
      const res = await t
        .http()
        .post(`${API}/auth/register`)
        .set('Content-Type', 'text/plain')
        .send(JSON.stringify(registration(email)));
      expectErrorBody(res, 400, 'VALIDATION_FAILED');
      expectErrorBody(await login(email), 401, 'INVALID_CREDENTIALS');
    });

    it('refuses malformed JSON to register with 400 and creates no user', async () => {
      const email = `malformed-${randomUUID()}@test.local`;
      const res = await t
        .http()
        .post(`${API}/auth/register`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(registration(email)).slice(0, -1));
      expectErrorBody(res, 400, 'VALIDATION_FAILED');
      expectErrorBody(await login(email), 401, 'INVALID_CREDENTIALS');
    });

    it('refuses a JSON body over 1 MiB with 413 PAYLOAD_TOO_LARGE in the error shape', async () => {
      const email = `large-${randomUUID()}@test.local`;
      const res = await t
        .http()
        .post(`${API}/auth/register`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ ...registration(email), padding: 'x'.repeat(1025 * KIB) }));
      expectErrorBody(res, 413, 'PAYLOAD_TOO_LARGE');
      expectErrorBody(await login(email), 401, 'INVALID_CREDENTIALS');
    });

    it('reads a JSON body just under 1 MiB and judges its content', async () => {
      const res = await t
        .http()
        .post(`${API}/auth/register`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ displayName: 'x'.repeat(1000 * KIB) }));
      expectErrorBody(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toHaveProperty('displayName');
    });
  });

  describe('unknown routes', () => {
    it('answers an unknown route under /api/v1 with 404 NOT_FOUND in the error shape', async () => {
      for (const req of [
        t.http().get(`${API}/no-such-thing`),
        t.http().post(`${API}/no-such-thing`).send({}),
        t.http().put(`${API}/users/me`).send({}),
      ]) {
        expectErrorBody(await req, 404, 'NOT_FOUND');
      }
    });

    it('answers an unknown route at the root with 404 NOT_FOUND in the error shape', async () => {
      expectErrorBody(await t.http().get('/no-such-thing'), 404, 'NOT_FOUND');
      expectErrorBody(await t.http().get('/health/nope'), 404, 'NOT_FOUND');
    });
  });

  describe('Server-Timing', () => {
    const timing = (res: { headers: Record<string, string> }) => {
      const match = /^app;dur=(\d+\.\d{2})$/.exec(res.headers['server-timing'] ?? '');
      expect(match).not.toBeNull();
      return Number(match![1]);
    };

    it('tells on every answer how long the service took, successes and errors alike', async () => {
      const user = await createUser(t);
      const answers = [
        await t.http().get(`${API}/users/me`).set(auth(user.token)).expect(200),
        await t.http().get(`${API}/conversations`).set(auth(user.token)).expect(200),
        await t.http().get(`${API}/users/me`).expect(401),
        await t.http().post(`${API}/auth/login`).send({ email: 'x' }).expect(400),
        await t.http().get(`${API}/no-such-thing`).expect(404),
        await t.http().get('/health').expect(200),
      ];
      for (const res of answers) {
        const ms = timing(res);
        expect(ms).toBeGreaterThan(0);
        expect(ms).toBeLessThan(30_000);
      }
    });

    it('lets browser clients read it across origins', async () => {
      const res = await t
        .http()
        .get(`${API}/users/me`)
        .set('Origin', 'https://app.example.com')
        .expect(401);
      expect(res.headers['access-control-expose-headers']).toMatch(/Server-Timing/);
      timing(res);
    });
  });

  describe('language of messages', () => {
    const arabic = { 'Accept-Language': 'ar' };

    it('answers VALIDATION_FAILED in Arabic for Accept-Language: ar', async () => {
      const res = await t.http().post(`${API}/auth/register`).set(arabic).send({});
      expectErrorBody(res, 400, 'VALIDATION_FAILED');
      expect(res.body.message).toMatch(ARABIC_LETTER);
    });

    it('answers UNAUTHORIZED in Arabic for Accept-Language: ar', async () => {
      const res = await t.http().get(`${API}/users/me`).set(arabic);
      expectErrorBody(res, 401, 'UNAUTHORIZED');
      expect(res.body.message).toMatch(ARABIC_LETTER);
    });

    it('answers NOT_FOUND in Arabic for Accept-Language: ar', async () => {
      const user = await createUser(t);
      const res = await t
        .http()
        .get(`${API}/users/${randomUUID()}`)
        .set({ ...arabic, ...auth(user.token) });
      expectErrorBody(res, 404, 'NOT_FOUND');
      expect(res.body.message).toMatch(ARABIC_LETTER);
    });

    it('answers EMAIL_TAKEN in Arabic for Accept-Language: ar', async () => {
      const user = await createUser(t, { verified: false });
      const res = await t
        .http()
        .post(`${API}/auth/register`)
        .set(arabic)
        .send(registration(user.email));
      expectErrorBody(res, 409, 'EMAIL_TAKEN');
      expect(res.body.message).toMatch(ARABIC_LETTER);
    });

    it('answers in Arabic for a language range starting with ar', async () => {
      const res = await t
        .http()
        .get(`${API}/users/me`)
        .set('Accept-Language', 'ar-EG,ar;q=0.9,en;q=0.5');
      expectErrorBody(res, 401, 'UNAUTHORIZED');
      expect(res.body.message).toMatch(ARABIC_LETTER);
    });

    it('answers in English without Accept-Language when there is no user', async () => {
      const res = await t.http().get(`${API}/users/me`);
      expectErrorBody(res, 401, 'UNAUTHORIZED');
      expect(res.body.message).not.toMatch(ARABIC_LETTER);
    });

    it('answers an authenticated error in Arabic without Accept-Language for a user whose locale is ar', async () => {
      const user = await createUser(t, { locale: 'ar' });
      const res = await t.http().get(`${API}/users/${randomUUID()}`).set(auth(user.token));
      expectErrorBody(res, 404, 'NOT_FOUND');
      expect(res.body.message).toMatch(ARABIC_LETTER);
    });

    it('follows a locale changed after the token was issued', async () => {
      const user = await createUser(t, { locale: 'en' });
      await t
        .http()
        .patch(`${API}/users/me`)
        .set(auth(user.token))
        .send({ locale: 'ar' })
        .expect(200);
      const res = await t.http().get(`${API}/users/${randomUUID()}`).set(auth(user.token));
      expectErrorBody(res, 404, 'NOT_FOUND');
      expect(res.body.message).toMatch(ARABIC_LETTER);
    });

    it('lets Accept-Language: en override a user locale of ar', async () => {
      const user = await createUser(t, { locale: 'ar' });
      const res = await t
        .http()
        .get(`${API}/users/${randomUUID()}`)
        .set({ ...auth(user.token), 'Accept-Language': 'en' });
      expectErrorBody(res, 404, 'NOT_FOUND');
      expect(res.body.message).not.toMatch(ARABIC_LETTER);
    });

    it('answers in English for any other Accept-Language, even for a user whose locale is ar', async () => {
      const user = await createUser(t, { locale: 'ar' });
      const res = await t
        .http()
        .get(`${API}/users/${randomUUID()}`)
        .set({ ...auth(user.token), 'Accept-Language': 'fr-FR' });
      expectErrorBody(res, 404, 'NOT_FOUND');
      expect(res.body.message).not.toMatch(ARABIC_LETTER);
    });

    it('gives the same code and details in both languages', async () => {
      const [en, ar] = await Promise.all(
        ['en', 'ar'].map((lang) =>
          t.http().post(`${API}/auth/register`).set('Accept-Language', lang).send({}),
        ),
      );
      expectErrorBody(en, 400, 'VALIDATION_FAILED');
      expectErrorBody(ar, 400, 'VALIDATION_FAILED');
      expect(ar.body.details).toEqual(en.body.details);
      expect(ar.body.message).not.toBe(en.body.message);
    });
  });
});

describe('NUL characters', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('refuses a NUL character in a body or query string with 400 naming the field, storing nothing', async () => {
    const email = `nul-${Date.now()}@test.local`;
    const res = await t
      .http()
      .post(`${API}/auth/register`)
      .send({ email, password: 'password-123', displayName: 'a\u0000b' })
      .expect(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { displayName: expect.any(Array) },
    });
    await t.http().post(`${API}/auth/login`).send({ email, password: 'password-123' }).expect(401);
    const login = await t
      .http()
      .post(`${API}/auth/register`)
      .send({ email, password: 'password-123', displayName: 'ok' })
      .expect(201);
    const q = await t
      .http()
      .get(`${API}/users?query=%00ab`)
      .set({ Authorization: `Bearer ${login.body.accessToken}` })
      .expect(400);
    expect(q.body.details).toHaveProperty('query');
  });
});
