import { spawn } from 'node:child_process';
import { join } from 'node:path';

// Swagger Parser loads an ESM-only dependency that Jest's CommonJS runtime cannot require, so
// validation runs in a plain Node process, which can. The document crosses over as JSON, so the
// parser (which dereferences in place) works on a deep copy.
const SCRIPT = `
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  require('@apidevtools/swagger-parser')
    .validate(JSON.parse(Buffer.concat(chunks).toString('utf8')))
    .then(() => process.exit(0), (err) => { process.stderr.write(String(err.message)); process.exit(1); });
});`;

/** Resolves when `document` is a valid OpenAPI document; rejects with the parser's complaint. */
export function validateOpenApi(document: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', SCRIPT], {
      cwd: join(__dirname, '..', '..'),
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`invalid OpenAPI document: ${stderr}`)),
    );
    child.stdin.end(JSON.stringify(document));
  });
}
