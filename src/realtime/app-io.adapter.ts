import { INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import { AppConfig } from '../config/app-config';
import { createRedis } from '../database/redis.provider';

/** Largest accepted socket payload: a 4000-character message or a 500-entry sync fits easily. */
export const MAX_SOCKET_PAYLOAD_BYTES = 256 * 1024;

/**
 * Socket.IO server options for the whole app, and with `REDIS_URL` the Redis adapter, so any
 * number of nodes share rooms: an emit to `user:<id>` reaches that user's sockets everywhere.
 */
export class AppIoAdapter extends IoAdapter {
  private readonly clients: Redis[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
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
    if (this.config.redisUrl) {
      const pub = createRedis(this.config.redisUrl, 'socket-pub');
      const sub = pub.duplicate();
      sub.on('error', (err: Error) => new Logger('Redis:socket-sub').warn(err.message));
      this.clients.push(pub, sub);
      server.adapter(createAdapter(pub, sub));
    }
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    await Promise.all(this.clients.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
