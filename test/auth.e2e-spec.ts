import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { admin, auth, createUser, loginAdmin } from './support/factories';
import { API, startTestApp, TestApp } from './support/test-app';

describe('auth', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ JWT_EXPIRES_IN: '1h' });
  });
  afterAll(() => t.close());

  const register = (body: Record<string, unknown>) =>
    t.http().post(`${API}/auth/register`).send(body);

  it('registers, logs in and reads /users/me with the access token', async () => {
    const email = `Round.Trip-${randomUUID()}@Example.com`;
    const reg = await register({
      email,
      password: 'password-123',
      displayName: '  Lina  ',
      locale: 'ar',
    }).expect(201);
    expect(reg.body.user).toEqual({
      id: expect.any(String),
      email: email.toLowerCase(),
      displayName: 'Lina',
      avatarUrl: null,
      locale: 'ar',
      role: 'user',
      verificationStatus: 'unverified',
      suspended: false,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(reg.body.accessToken).toEqual(expect.any(String));
    expect(reg.body.refreshToken).toEqual(expect.any(String));

    const login = await t
      .http()
      .post(`${API}/auth/login`)
      .send({ email, password: 'password-123' })
      .expect(200);
    expect(login.body.user.id).toBe(reg.body.user.id);
    const me = await t.http().get(`${API}/users/me`).set(auth(login.body.accessToken)).expect(200);
    expect(me.body).toEqual(reg.body.user);
  });

  it('refuses a second account for the same email in any case', async () => {
    const email = `dup-${randomUUID()}@test.local`;
    await register({ email, password: 'password-123', displayName: 'A' }).expect(201);
    const res = await register({
      email: email.toUpperCase(),
      password: 'password-123',
      displayName: 'B',
    }).expect(409);
    expect(res.body).toMatchObject({ statusCode: 409, code: 'EMAIL_TAKEN' });
  });

  it('refuses concurrent registrations of one email with exactly one success', async () => {
    const email = `race-${randomUUID()}@test.local`;
    const results = await Promise.all(
      [1, 2, 3].map(() => register({ email, password: 'password-123', displayName: 'Race' })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });

  it('answers a wrong password and an unknown email alike', async () => {
    const user = await createUser(t, { verified: false });
    const wrong = await t
      .http()
      .post(`${API}/auth/login`)
      .send({ email: user.email, password: 'nope-nope-nope' })
      .expect(401);
    const unknown = await t
      .http()
      .post(`${API}/auth/login`)
      .send({ email: 'nobody@test.local', password: 'password-123' })
      .expect(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.body).toEqual(wrong.body);
  });

  describe('access tokens', () => {
    it('refuses a missing, malformed, tampered or expired token with 401 UNAUTHORIZED', async () => {
      const user = await createUser(t);
      const jwt = new JwtService({ secret: 'another-secret-another-secret-1234' });
      const [header, payload] = user.token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const forged = jwt.sign(claims);
      const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: randomUUID() })).toString('base64url')}.${user.token.split('.')[2]}`;
      const expired = await expiredTokenFor(t, claims);
      for (const headers of [
        {},
        { Authorization: 'Bearer' },
        { Authorization: 'Bearer not-a-jwt' },
        { Authorization: `Basic ${user.token}` },
        auth(forged),
        auth(tampered),
        auth(expired),
      ]) {
        const res = await t.http().get(`${API}/users/me`).set(headers).expect(401);
        expect(res.body).toMatchObject({
          statusCode: 401,
          code: 'UNAUTHORIZED',
          message: expect.any(String),
        });
      }
      await t.http().get(`${API}/users/me`).set(auth(user.token)).expect(200);
    });

    it('stops working at once after logout', async () => {
      const user = await createUser(t);
      await t
        .http()
        .post(`${API}/auth/logout`)
        .set(auth(user.token))
        .send({ refreshToken: user.refreshToken })
        .expect(204);
      await t.http().get(`${API}/users/me`).set(auth(user.token)).expect(401);
      await t
        .http()
        .post(`${API}/auth/refresh`)
        .send({ refreshToken: user.refreshToken })
        .expect(401);
    });

    it('keeps other sessions of the user alive after one logs out', async () => {
      const user = await createUser(t);
      const other = await t
        .http()
        .post(`${API}/auth/login`)
        .send({ email: user.email, password: 'password-123' })
        .expect(200);
      await t
        .http()
        .post(`${API}/auth/logout`)
        .set(auth(user.token))
        .send({ refreshToken: user.refreshToken })
        .expect(204);
      await t.http().get(`${API}/users/me`).set(auth(other.body.accessToken)).expect(200);
    });

    it('ignores a logout of somebody else’s refresh token', async () => {
      const a = await createUser(t);
      const b = await createUser(t);
      await t
        .http()
        .post(`${API}/auth/logout`)
        .set(auth(a.token))
        .send({ refreshToken: b.refreshToken })
        .expect(204);
      await t.http().get(`${API}/users/me`).set(auth(b.token)).expect(200);
      await t.http().post(`${API}/auth/refresh`).send({ refreshToken: b.refreshToken }).expect(200);
    });
  });

  describe('refresh tokens', () => {
    it('rotates: the new pair works and the old refresh token is spent', async () => {
      const user = await createUser(t);
      const res = await t
        .http()
        .post(`${API}/auth/refresh`)
        .send({ refreshToken: user.refreshToken })
        .expect(200);
      expect(Object.keys(res.body).sort()).toEqual(['accessToken', 'refreshToken']);
      expect(res.body.refreshToken).not.toBe(user.refreshToken);
      await t.http().get(`${API}/users/me`).set(auth(res.body.accessToken)).expect(200);
      const again = await t
        .http()
        .post(`${API}/auth/refresh`)
        .send({ refreshToken: res.body.refreshToken })
        .expect(200);
      await t.http().get(`${API}/users/me`).set(auth(again.body.accessToken)).expect(200);
    });

    it('revokes the whole chain when a spent token is presented again', async () => {
      const user = await createUser(t);
      const first = await t
        .http()
        .post(`${API}/auth/refresh`)
        .send({ refreshToken: user.refreshToken })
        .expect(200);
      const reuse = await t
        .http()
        .post(`${API}/auth/refresh`)
        .send({ refreshToken: user.refreshToken })
        .expect(401);
      expect(reuse.body.code).toBe('UNAUTHORIZED');
      await t
        .http()
        .post(`${API}/auth/refresh`)
        .send({ refreshToken: first.body.refreshToken })
        .expect(401);
      await t.http().get(`${API}/users/me`).set(auth(first.body.accessToken)).expect(401);
      await t.http().get(`${API}/users/me`).set(auth(user.token)).expect(401);
    });

    it('refuses an unknown refresh token', async () => {
      const res = await t
        .http()
        .post(`${API}/auth/refresh`)
        .send({ refreshToken: 'made-up' })
        .expect(401);
      expect(res.body.code).toBe('UNAUTHORIZED');
    });
  });

  describe('suspension', () => {
    it('ends the user’s tokens at once, refuses login, and unsuspending does not revive them', async () => {
      const { token: adminToken } = await admin(t);
      const user = await createUser(t);
      const res = await t
        .http()
        .post(`${API}/admin/users/${user.id}/suspend`)
        .set(auth(adminToken))
        .send({ reason: 'spam' })
        .expect(200);
      expect(res.body).toMatchObject({ id: user.id, suspended: true });
      await t.http().get(`${API}/users/me`).set(auth(user.token)).expect(401);
      await t
        .http()
        .post(`${API}/auth/refresh`)
        .send({ refreshToken: user.refreshToken })
        .expect(401);
      const login = await t
        .http()
        .post(`${API}/auth/login`)
        .send({ email: user.email, password: 'password-123' })
        .expect(403);
      expect(login.body.code).toBe('USER_SUSPENDED');

      const un = await t
        .http()
        .post(`${API}/admin/users/${user.id}/unsuspend`)
        .set(auth(adminToken))
        .expect(200);
      expect(un.body.suspended).toBe(false);
      await t.http().get(`${API}/users/me`).set(auth(user.token)).expect(401);
      const relogin = await t
        .http()
        .post(`${API}/auth/login`)
        .send({ email: user.email, password: 'password-123' })
        .expect(200);
      await t.http().get(`${API}/users/me`).set(auth(relogin.body.accessToken)).expect(200);
    });

    it('answers a wrong password for a suspended account as wrong credentials, not as suspended', async () => {
      const { token: adminToken } = await admin(t);
      const user = await createUser(t);
      await t
        .http()
        .post(`${API}/admin/users/${user.id}/suspend`)
        .set(auth(adminToken))
        .send({ reason: 'x' })
        .expect(200);
      const res = await t
        .http()
        .post(`${API}/auth/login`)
        .send({ email: user.email, password: 'wrong-password' })
        .expect(401);
      expect(res.body.code).toBe('INVALID_CREDENTIALS');
    });
  });

  describe('admin', () => {
    it('bootstraps the admin account from ADMIN_EMAIL/ADMIN_PASSWORD', async () => {
      const a = await loginAdmin(t);
      const me = await t.http().get(`${API}/users/me`).set(auth(a.token)).expect(200);
      expect(me.body).toMatchObject({ role: 'admin', verificationStatus: 'verified' });
    });

    it('verifies a user; tokens issued before see the new status', async () => {
      const { token: adminToken } = await admin(t);
      const user = await createUser(t, { verified: false });
      const res = await t
        .http()
        .post(`${API}/admin/users/${user.id}/verify`)
        .set(auth(adminToken))
        .expect(200);
      expect(res.body.verificationStatus).toBe('verified');
      const me = await t.http().get(`${API}/users/me`).set(auth(user.token)).expect(200);
      expect(me.body.verificationStatus).toBe('verified');
    });

    it('refuses admin routes to ordinary users with 403 FORBIDDEN and changes nothing', async () => {
      const user = await createUser(t);
      const target = await createUser(t, { verified: false });
      for (const [path, body] of [
        [`verify`, undefined],
        [`suspend`, { reason: 'x' }],
        [`unsuspend`, undefined],
      ] as const) {
        const res = await t
          .http()
          .post(`${API}/admin/users/${target.id}/${path}`)
          .set(auth(user.token))
          .send(body)
          .expect(403);
        expect(res.body.code).toBe('FORBIDDEN');
      }
      const me = await t.http().get(`${API}/users/me`).set(auth(target.token)).expect(200);
      expect(me.body).toMatchObject({ verificationStatus: 'unverified', suspended: false });
    });

    it('answers 404 for an unknown user and 400 for a malformed id', async () => {
      const { token: adminToken } = await admin(t);
      await t
        .http()
        .post(`${API}/admin/users/${randomUUID()}/verify`)
        .set(auth(adminToken))
        .expect(404);
      const bad = await t
        .http()
        .post(`${API}/admin/users/not-a-uuid/verify`)
        .set(auth(adminToken))
        .expect(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
    });

    it('requires a reason to suspend', async () => {
      const { token: adminToken } = await admin(t);
      const user = await createUser(t);
      const res = await t
        .http()
        .post(`${API}/admin/users/${user.id}/suspend`)
        .set(auth(adminToken))
        .send({})
        .expect(400);
      expect(res.body.details).toHaveProperty('reason');
      await t.http().get(`${API}/users/me`).set(auth(user.token)).expect(200);
    });
  });
});

async function expiredTokenFor(t: TestApp, claims: Record<string, unknown>): Promise<string> {
  const jwt = t.app.get(JwtService);
  const { exp: _exp, iat: _iat, ...rest } = claims;
  return jwt.sign(rest, { expiresIn: -10 });
}
