import { INestApplicationContext, Logger } from '@nestjs/common';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { lastValueFrom, Observable } from 'rxjs';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { RedisAdapter } from '@socket.io/redis-adapter';
import type Redis from 'ioredis';
import type { Server, ServerOptions, Socket } from 'socket.io';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { AllExceptionsFilter } from '../common/errors/all-exceptions.filter';
import { Drain } from '../common/lifecycle/drain';
import { AppConfig } from '../config/app-config';
import { createRedis } from '../database/redis.provider';
import { SkipOwnParser } from './skip-own-parser';

/** Resolves once a client is connected with its queued commands sent, or gave up (≤ 2 s). */
async function whenSettled(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      client.once('ready', done);
      client.once('end', done);
    });
  }
  await client.ping().catch(() => undefined);
}

/** An engine.io connection; `close()` flushes what was written before closing the transport. */
interface EngineClient {
  close(): void;
}

/** Largest accepted socket payload: a 4000-character message or a 500-entry sync fits easily. */
export const MAX_SOCKET_PAYLOAD_BYTES = 256 * 1024;

/**
 * Socket.IO server options for the whole app, and with `REDIS_URL` the Redis adapter, so any
 * number of nodes share rooms: an emit to `user:<id>` reaches that user's sockets everywhere.
 */
export class AppIoAdapter extends IoAdapter {
  private readonly clients: Redis[] = [];
  private readonly servers: Server[] = [];
  private readonly drain: Drain;

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
    this.drain = app.get(Drain);
  }

  /**
   * Closes every client's transport (not a server-side `disconnect`, after which Socket.IO
   * clients stay away): each reconnects by itself, to another node once this one's port is closed.
   */
  dropClients(): void {
    for (const server of this.servers) {
      // one by one and without discarding: acks already written still reach their clients
      // (engine.io's `close()` discards them; its clients map is public in JS, protected in types)
      const { clients } = server.engine as unknown as { clients: Record<string, EngineClient> };
      for (const client of Object.values(clients)) client.close();
    }
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...(options as ServerOptions),
      path: options?.path ?? '/socket.io',
      maxHttpBufferSize: MAX_SOCKET_PAYLOAD_BYTES,
      cors: { origin: this.config.corsOrigins === '*' ? true : this.config.corsOrigins },
      transports: ['websocket', 'polling'],
      pingInterval: 20_000,
      pingTimeout: 20_000,
    });
    this.servers.push(server);
    if (this.config.redisUrl) {
      // every emit publishes: those of one turn go out in one write
      const pub = createRedis(this.config.redisUrl, 'socket-pub', { autoPipelining: true });
      const sub = pub.duplicate();
      sub.on('error', (err: Error) => new Logger('Redis:socket-sub').warn(err.message));
      this.clients.push(pub, sub);
      // Socket.IO calls it with `new`: a function, not an arrow
      server.adapter(function redisAdapter(nsp: unknown) {
        const parser = new SkipOwnParser();
        const adapter = new RedisAdapter(nsp, pub, sub, { parser });
        parser.ownedBy(adapter.uid as string);
        return adapter;
      } as unknown as Parameters<Server['adapter']>[0]);
    }
    return server;
  }

  /**
   * Plain `socket.on` listeners instead of Nest's per-socket RxJS pipelines (seven operator
   * chains per socket for our seven events), which made an idle socket cost about three times
   * what Socket.IO itself needs. Acks and error logging behave as before.
   */
  override bindMessageHandlers(
    socket: Socket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...args: unknown[]) => {
        const last = args[args.length - 1];
        const ack = typeof last === 'function' ? (last as (response: unknown) => void) : undefined;
        const payload = ack ? args.slice(0, -1) : args;
        const data: unknown = payload.length <= 1 ? payload[0] : payload;
        if (this.drain.isDraining) {
          // the node is shutting down: the client retries elsewhere (sends are idempotent)
          ack?.({ ok: false, error: this.unavailable(socket) });
          return;
        }
        const done = this.drain.enter();
        lastValueFrom(transform(callback(data, ack)), { defaultValue: undefined })
          .then(
            (response) => {
              if (response !== undefined && response !== null && ack && !isAckHandledManually)
                ack(response);
            },
            (err: unknown) => this.handlerLogger.error(err),
          )
          .finally(done);
      });
    }
  }

  private readonly handlerLogger = new Logger('AppIoAdapter');
  private readonly errors = new AllExceptionsFilter();

  private unavailable(socket: Socket): unknown {
    const user = (socket.data as { user?: AuthUser }).user;
    return this.errors.toBody(new AppError('UNAVAILABLE'), undefined, user?.locale);
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    // The adapter subscribes as soon as it is made: let those commands finish before QUIT,
    // or a node that closes right after starting rejects them with "Connection is closed".
    await Promise.all(
      this.clients.map(async (c) => {
        await whenSettled(c);
        await c.quit().catch(() => c.disconnect());
      }),
    );
  }
}
