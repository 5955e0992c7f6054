import { createDecipheriv, createECDH, ECDH, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';

const FIXTURES = join(__dirname, '..', 'fixtures', 'notifications');

/** What a browser keeps of its push subscription: the ECDH key pair and the auth secret. */
export class SubscriptionKeys {
  readonly ecdh: ECDH = createECDH('prime256v1');
  readonly auth: Buffer = randomBytes(16);

  constructor() {
    this.ecdh.generateKeys();
  }

  /** The `keys` of `PushSubscription.toJSON()`. */
  get json(): { p256dh: string; auth: string } {
    return {
      p256dh: this.ecdh.getPublicKey().toString('base64url'),
      auth: this.auth.toString('base64url'),
    };
  }

  /**
   * Decrypts an `aes128gcm` Web Push body (RFC 8188 framing, RFC 8291 key derivation), as the
   * browser does: ECDH with the sender's one-time key from the header, HKDF with the auth
   * secret, then AES-128-GCM on the single record, whose padding ends at the 0x02 delimiter.
   */
  decrypt(body: Buffer): string {
    const salt = body.subarray(0, 16);
    const recordSize = body.readUInt32BE(16);
    const keyIdLength = body[20];
    const senderPublic = body.subarray(21, 21 + keyIdLength);
    const record = body.subarray(21 + keyIdLength);
    if (record.length > recordSize) throw new Error('more than one record');

    const ecdhSecret = this.ecdh.computeSecret(senderPublic);
    const keyInfo = Buffer.concat([
      Buffer.from('WebPush: info\0', 'latin1'),
      this.ecdh.getPublicKey(),
      senderPublic,
    ]);
    const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, this.auth, keyInfo, 32));
    const info = (label: string) => Buffer.from(`Content-Encoding: ${label}\0`, 'latin1');
    const cek = Buffer.from(hkdfSync('sha256', ikm, salt, info('aes128gcm'), 16));
    const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, info('nonce'), 12));

    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const padded = Buffer.concat([
      decipher.update(record.subarray(0, record.length - 16)),
      decipher.final(),
    ]);
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end--;
    if (padded[end] !== 2) throw new Error('the last record does not end with the 0x02 delimiter');
    return padded.subarray(0, end).toString('utf8');
  }
}

export interface PushRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * A push service on https://127.0.0.1 (a self-signed certificate from the fixtures, trusted
 * for this process), answering 201, or whatever status a path was given.
 */
export class PushEndpoint {
  readonly requests: PushRequest[] = [];
  private readonly statuses = new Map<string, number>();
  private readonly waiters = new Set<() => void>();
  private server?: https.Server;
  private port = 0;

  static async start(): Promise<PushEndpoint> {
    const endpoint = new PushEndpoint();
    await endpoint.listen();
    return endpoint;
  }

  private async listen(): Promise<void> {
    const cert = readFileSync(join(FIXTURES, 'push-endpoint.cert.pem'));
    const key = readFileSync(join(FIXTURES, 'push-endpoint.key.pem'));
    // web-push sends through the default agent: trust the fixture's certificate there.
    const ca = https.globalAgent.options.ca;
    https.globalAgent.options.ca = [...(Array.isArray(ca) ? ca : ca ? [ca] : []), cert];
    this.server = https.createServer({ cert, key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.requests.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(this.statuses.get(path) ?? 201).end();
        for (const wake of [...this.waiters]) wake();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** A new endpoint URL; its requests are answered with `status`. */
  newEndpoint(status = 201): string {
    const path = `/push/${randomUUID()}`;
    this.statuses.set(path, status);
    return `https://127.0.0.1:${this.port}${path}`;
  }

  to(endpoint: string): PushRequest[] {
    const path = new URL(endpoint).pathname;
    return this.requests.filter((r) => r.path === path);
  }

  waitFor(endpoint: string, timeoutMs = 10_000): Promise<PushRequest> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.to(endpoint)[0];
        if (!found) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no push to ${endpoint} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
