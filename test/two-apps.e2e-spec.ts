import { auth, createUser } from './support/factories';
import { API, startTestApp, TestApp } from './support/test-app';
import { connect } from './support/sockets';

// Two apps in one process, as a test of two nodes or of a migration may need: each checks
// tokens with its own instances (HTTP and sockets alike), nothing is registered process-wide.
describe('two apps in one process', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    [a, b] = await Promise.all([startTestApp(), startTestApp()]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('accepts each app’s tokens on that app, over HTTP and the socket, and refuses them on the other', async () => {
    const [userA, userB] = await Promise.all([createUser(a), createUser(b)]);
    const meA = await a.http().get(`${API}/users/me`).set(auth(userA.token)).expect(200);
    expect(meA.body.id).toBe(userA.id);
    const meB = await b.http().get(`${API}/users/me`).set(auth(userB.token)).expect(200);
    expect(meB.body.id).toBe(userB.id);

    const refused = await b.http().get(`${API}/users/me`).set(auth(userA.token)).expect(401);
    expect(refused.body.code).toBe('UNAUTHORIZED');
    await a.http().get(`${API}/users/me`).set(auth(userB.token)).expect(401);

    const socketA = await connect(a.url, userA.token);
    socketA.close();
    await expect(connect(b.url, userA.token)).rejects.toThrow('unauthorized');
  });

  it('refuses a missing, malformed or non-bearer Authorization header with 401', async () => {
    for (const header of ['', 'Bearer', 'Basic abc', 'Bearer a b', 'Bearer not-a-jwt']) {
      const res = await a.http().get(`${API}/users/me`).set('Authorization', header).expect(401);
      expect(res.body.code).toBe('UNAUTHORIZED');
    }
  });
});
