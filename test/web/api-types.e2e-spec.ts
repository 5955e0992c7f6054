import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../support/test-app';

const ROOT = join(__dirname, '..', '..');
const TYPES = join(ROOT, 'web', 'src', 'api', 'schema.d.ts');

/** openapi-typescript (the web workspace's) over an OpenAPI document: the client's types. */
function generate(document: unknown): string {
  const cli = join(
    createRequire(join(ROOT, 'web', 'package.json'))
      .resolve('openapi-typescript/package.json')
      .replace(/package\.json$/, ''),
    'bin',
    'cli.js',
  );
  const dir = mkdtempSync(join(tmpdir(), 'api-types-'));
  try {
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(document));
    // request fields with a default stay optional (they are, for a client)
    execFileSync(process.execPath, [
      cli,
      join(dir, 'openapi.json'),
      '--default-non-nullable',
      'false',
      '-o',
      join(dir, 'schema.d.ts'),
    ]);
    return readFileSync(join(dir, 'schema.d.ts'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the web client’s API types', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('are generated from the current OpenAPI document (npm run api:types regenerates them)', async () => {
    const document = (await t.http().get('/docs-json').expect(200)).body;
    const generated = generate(document);
    if (process.env.WRITE_API_TYPES === '1') writeFileSync(TYPES, generated);
    expect(readFileSync(TYPES, 'utf8')).toBe(generated);
  });
});
