import { generateKeyPairSync, KeyObject, randomUUID, verify } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';

/** An answer the fake FCM gives to one send. */
export interface FcmAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TokenRequest {
  at: number;
  form: URLSearchParams;
}

export interface FcmSend {
  at: number;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** the `message` of the request */
  message: Record<string, any>;
}

/** FCM's answer for a token it no longer knows. */
export const UNREGISTERED: FcmAnswer = {
  status: 404,
  body: {
    error: {
      code: 404,
      message: 'Requested entity was not found.',
      status: 'NOT_FOUND',
      details: [
        {
          '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError',
          errorCode: 'UNREGISTERED',
        },
      ],
    },
  },
};

const decodePart = (part: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

/**
 * Google's OAuth2 token endpoint and FCM HTTP v1 on http://127.0.0.1, with a service account
 * of a fresh RSA key whose `token_uri` points here. Tokens are handed out as `access-<n>`;
 * sends are answered 200, or with the answers queued for their device token.
 */
export class FcmEndpoint {
  readonly projectId = 'test-project';
  readonly clientEmail = 'push@test-project.iam.gserviceaccount.com';
  readonly tokenRequests: TokenRequest[] = [];
  readonly sends: FcmSend[] = [];
  readonly issued: string[] = [];
  readonly publicKey: KeyObject;
  private readonly privateKeyPem: string;
  private readonly answers = new Map<string, FcmAnswer[]>();
  private readonly waiters = new Set<() => void>();
  private server?: http.Server;
  private port = 0;

  private constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.publicKey = publicKey;
    this.privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  static async start(): Promise<FcmEndpoint> {
    const endpoint = new FcmEndpoint();
    await endpoint.listen();
    return endpoint;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get tokenUri(): string {
    return `${this.url}/oauth2/token`;
  }

  /** The service account key file, as the Firebase console gives it. */
  get serviceAccount(): string {
    return JSON.stringify({
      type: 'service_account',
      project_id: this.projectId,
      private_key_id: 'key-1',
      private_key: this.privateKeyPem,
      client_email: this.clientEmail,
      client_id: '1234567890',
      token_uri: this.tokenUri,
    });
  }

  /** The app's environment for push through this fake. */
  get env(): Record<string, string> {
    return {
      FCM_PROJECT_ID: this.projectId,
      FCM_SERVICE_ACCOUNT: this.serviceAccount,
      FCM_ENDPOINT: this.url,
    };
  }

  /** A new device token; its sends get `answers` in turn, then 200. */
  newToken(...answers: FcmAnswer[]): string {
    const token = `device-${randomUUID()}`;
    this.answers.set(token, answers);
    return token;
  }

  to(token: string): FcmSend[] {
    return this.sends.filter((s) => s.message.token === token);
  }

  /** The JWT assertion of a token request: header and claims, once its signature is checked. */
  verifiedAssertion(request: TokenRequest): {
    header: Record<string, unknown>;
    claims: Record<string, unknown>;
  } {
    const [header, claims, signature] = (request.form.get('assertion') ?? '').split('.');
    const signed = verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${claims}`),
      this.publicKey,
      Buffer.from(signature ?? '', 'base64url'),
    );
    if (!signed) throw new Error('the assertion is not signed with the service account’s key');
    return { header: decodePart(header), claims: decodePart(claims) };
  }

  /** Resolves with the first `count` sends to `token`. */
  waitFor(token: string, count = 1, timeoutMs = 10_000): Promise<FcmSend[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.to(token);
        if (found.length < count) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found.slice(0, count));
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`fewer than ${count} FCM sends to ${token} within ${timeoutMs} ms`));
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

  private async listen(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const answer = this.handle(req, body);
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
        for (const wake of [...this.waiters]) wake();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  private handle(req: http.IncomingMessage, body: string): FcmAnswer {
    const path = req.url ?? '/';
    if (req.method === 'POST' && path === '/oauth2/token') {
      this.tokenRequests.push({ at: Date.now(), form: new URLSearchParams(body) });
      const token = `access-${this.tokenRequests.length}`;
      this.issued.push(token);
      return { status: 200, body: { access_token: token, expires_in: 3600, token_type: 'Bearer' } };
    }
    if (req.method === 'POST' && path === `/v1/projects/${this.projectId}/messages:send`) {
      const message = (JSON.parse(body) as { message: Record<string, any> }).message;
      this.sends.push({ at: Date.now(), path, headers: req.headers, message });
      const queued = this.answers.get(String(message.token));
      return (
        queued?.shift() ?? {
          status: 200,
          body: { name: `projects/${this.projectId}/messages/${randomUUID()}` },
        }
      );
    }
    return { status: 404, body: { error: { code: 404, message: `no route ${path}` } } };
  }
}
