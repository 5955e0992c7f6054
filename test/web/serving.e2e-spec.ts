import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WEB_DIST_DIR } from '../../src/web/web-client';
import { startTestApp, type TestApp } from '../support/test-app';

const built = existsSync(join(WEB_DIST_DIR, 'index.html'));
if (!built)
  process.stdout.write(`skipping web serving tests: no ${WEB_DIST_DIR} (npm run build)\n`);

(built ? describe : describe.skip)('the web client at /', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves index.html at / and at client paths, never cached', async () => {
    for (const path of ['/', '/c/0b0f6f43-2b4e-4a47-9c38-5b2b6a2f5e7a']) {
      const res = await t.http().get(path).set('Accept', 'text/html').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.text).toContain('<div id="root"></div>');
    }
  });

  it('serves hashed assets with a year of caching, and no inline script in the page', async () => {
    const page = (await t.http().get('/').set('Accept', 'text/html')).text;
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const asset = readdirSync(join(WEB_DIST_DIR, 'assets')).find((f) => f.endsWith('.js'))!;
    const res = await t.http().get(`/assets/${asset}`).expect(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('keeps the API, docs, health and metrics on their paths with their 404', async () => {
    const notFound = await t.http().get('/api/v1/nope').set('Accept', 'text/html').expect(404);
    expect(notFound.body.code).toBe('NOT_FOUND');
    await t.http().get('/api/v1/users/me').set('Accept', 'text/html').expect(401);
    await t
      .http()
      .get('/health')
      .set('Accept', 'text/html')
      .expect(200)
      .expect('Content-Type', /json/);
    await t
      .http()
      .get('/docs-json')
      .set('Accept', 'text/html')
      .expect(200)
      .expect('Content-Type', /json/);
    await t
      .http()
      .get('/metrics')
      .set('Accept', 'text/html')
      .expect(200)
      .expect('Content-Type', /text\/plain/);
    expect((await t.http().get('/docs/nope').set('Accept', 'text/html')).status).toBe(404);
  });

  it('answers the API’s 404 for missing files, other methods and non-HTML requests', async () => {
    for (const res of [
      await t.http().get('/assets/missing.js').set('Accept', 'text/html'),
      await t.http().get('/missing.png').set('Accept', 'text/html'),
      await t.http().post('/c/anything').set('Accept', 'text/html'),
      await t.http().get('/c/anything').set('Accept', 'application/json'),
      await t.http().get('/c/anything'),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('NOT_FOUND');
    }
  });
});
