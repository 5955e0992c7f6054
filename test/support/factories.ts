import { randomUUID } from 'node:crypto';
import { ADMIN, API, TestApp } from './test-app';

export interface TestUser {
  id: string;
  email: string;
  displayName: string;
  token: string;
  refreshToken: string;
}

export const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

const adminOf = new WeakMap<TestApp, Promise<TestUser>>();

/** The bootstrap admin of the app, logged in once per app. */
export function admin(t: TestApp): Promise<TestUser> {
  let session = adminOf.get(t);
  if (!session) {
    session = loginAdmin(t);
    adminOf.set(t, session);
  }
  return session;
}

export async function loginAdmin(t: TestApp): Promise<TestUser> {
  const res = await t.http().post(`${API}/auth/login`).send(ADMIN).expect(200);
  return {
    id: res.body.user.id,
    email: ADMIN.email,
    displayName: res.body.user.displayName,
    token: res.body.accessToken,
    refreshToken: res.body.refreshToken,
  };
}

/** Registers a user; `verified` (the default) has the admin verify them. */
export async function createUser(
  t: TestApp,
  opts: { displayName?: string; email?: string; verified?: boolean; locale?: 'en' | 'ar' } = {},
): Promise<TestUser> {
  const email = opts.email ?? `user-${randomUUID()}@test.local`;
  const displayName = opts.displayName ?? `User ${email.slice(5, 13)}`;
  const res = await t
    .http()
    .post(`${API}/auth/register`)
    .send({
      email,
      password: 'password-123',
      displayName,
      ...(opts.locale ? { locale: opts.locale } : {}),
    })
    .expect(201);
  const user: TestUser = {
    id: res.body.user.id,
    email,
    displayName,
    token: res.body.accessToken,
    refreshToken: res.body.refreshToken,
  };
  if (opts.verified ?? true) {
    const { token } = await admin(t);
    await t.http().post(`${API}/admin/users/${user.id}/verify`).set(auth(token)).expect(200);
  }
  return user;
}
