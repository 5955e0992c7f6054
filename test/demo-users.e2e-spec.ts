import { DEMO_ACCOUNTS } from '../src/auth/demo-users.service';
import { API, startTestApp, type TestApp } from './support/test-app';

describe('demo users (DEMO_USERS)', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('are ensured at start, verified, and can sign in; a second start keeps them', async () => {
    const first = await startTestApp({ DEMO_USERS: 'true' });
    await first.app.close(); // the database stays for the second start
    const again = await startTestApp({ DEMO_USERS: 'true' }, first.db);
    apps.push({ ...again, close: () => again.close().then(() => first.db.drop()) });
    for (const account of DEMO_ACCOUNTS) {
      const res = await again
        .http()
        .post(`${API}/auth/login`)
        .send({ email: account.email, password: account.password })
        .expect(200);
      expect(res.body.user).toMatchObject({
        displayName: account.displayName,
        verificationStatus: 'verified',
        role: 'user',
      });
    }
  });

  it('are not created with DEMO_USERS=false (as in the tests)', async () => {
    const t = await startTestApp();
    apps.push(t);
    const [account] = DEMO_ACCOUNTS;
    await t
      .http()
      .post(`${API}/auth/login`)
      .send({ email: account.email, password: account.password })
      .expect(401);
  });
});
