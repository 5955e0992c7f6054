import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  /** the raw body, as signed */
  body: string;
  json: { type: string; timestamp: string; data: Record<string, any> };
}

/** What the receiver answers: a status, and optionally a Location (redirects). */
export interface Answer {
  status: number;
  location?: string;
}

/**
 * A local HTTP endpoint for webhook deliveries: records every request, answers each path from
 * a script (then 200), and lets a test await requests instead of sleeping.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  private readonly scripts = new Map<string, Answer[]>();
  private readonly waiters: { match: (r: Received) => boolean; count: number; done: () => void }[] =
    [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const body = Buffer.concat(chunks).toString('utf8');
        const answer = this.scripts.get(path)?.shift() ?? { status: 200 };
        res.writeHead(answer.status, answer.location ? { location: answer.location } : {});
        res.end('ok');
        this.received.push({ path, headers: req.headers, body, json: JSON.parse(body) });
        for (const w of [...this.waiters]) {
          if (this.received.filter(w.match).length >= w.count) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.done();
          }
        }
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next requests to `path` get these answers, in order; later ones get 200. */
  script(path: string, ...answers: Answer[]): void {
    this.scripts.set(path, answers);
  }

  /** Requests to `path` so far (optionally only those matching). */
  at(path: string, match: (r: Received) => boolean = () => true): Received[] {
    return this.received.filter((r) => r.path === path && match(r));
  }

  /** Resolves once `count` requests to `path` matching `match` have arrived. */
  async until(
    path: string,
    count = 1,
    match: (r: Received) => boolean = () => true,
  ): Promise<Received[]> {
    const m = (r: Received) => r.path === path && match(r);
    if (this.received.filter(m).length < count) {
      await new Promise<void>((done) => this.waiters.push({ match: m, count, done }));
    }
    return this.received.filter(m);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
