import type Redis from 'ioredis';
import { SocketStatus } from './presence-status';
import { Connection, PresenceStore } from './presence.store';

const USER = (userId: string) => `presence:user:${userId}`;
const NODE_SOCKETS = (nodeId: string) => `presence:node:${nodeId}:sockets`;
const NODE_ALIVE = (nodeId: string) => `presence:node:${nodeId}:alive`;
const NODES = 'presence:nodes';
const ANNOUNCED = 'presence:announced';

/**
 * Connections per user in Redis, tagged by node: `presence:user:<id>` maps socket id to
 * `node|status`. Each node beats `presence:node:<id>:alive`; when a node stops beating, any
 * other node removes its sockets (the reaper).
 */
export class RedisPresenceStore implements PresenceStore {
  constructor(private readonly redis: Redis) {}

  async add(userId: string, c: Connection): Promise<void> {
    await this.redis
      .multi()
      .hset(USER(userId), c.socketId, `${c.nodeId}|${c.status}`)
      .sadd(NODE_SOCKETS(c.nodeId), `${userId}|${c.socketId}`)
      .sadd(NODES, c.nodeId)
      .exec();
  }

  async remove(userId: string, socketId: string): Promise<void> {
    const value = await this.redis.hget(USER(userId), socketId);
    const multi = this.redis.multi().hdel(USER(userId), socketId);
    if (value) multi.srem(NODE_SOCKETS(value.split('|')[0]), `${userId}|${socketId}`);
    await multi.exec();
  }

  async setStatus(userId: string, socketId: string, status: SocketStatus): Promise<void> {
    const value = await this.redis.hget(USER(userId), socketId);
    if (value) await this.redis.hset(USER(userId), socketId, `${value.split('|')[0]}|${status}`);
  }

  async connections(userId: string): Promise<Connection[]> {
    const all = await this.redis.hgetall(USER(userId));
    return Object.entries(all).map(([socketId, value]) => {
      const [nodeId, status] = value.split('|');
      return { socketId, nodeId, status: status as SocketStatus };
    });
  }

  async announce(userId: string, status: string): Promise<string | null> {
    const [[, previous]] = (await this.redis
      .multi()
      .hget(ANNOUNCED, userId)
      .hset(ANNOUNCED, userId, status)
      .exec()) as [[unknown, string | null], unknown];
    return previous;
  }

  announced(userId: string): Promise<string | null> {
    return this.redis.hget(ANNOUNCED, userId);
  }

  async announcedPresent(): Promise<string[]> {
    const all = await this.redis.hgetall(ANNOUNCED);
    return Object.entries(all)
      .filter(([, s]) => s !== 'offline')
      .map(([u]) => u);
  }

  async forget(userIds: string[]): Promise<void> {
    if (userIds.length > 0) await this.redis.hdel(ANNOUNCED, ...userIds);
  }

  async heartbeat(nodeId: string, ttlMs: number): Promise<void> {
    await this.redis.multi().set(NODE_ALIVE(nodeId), '1', 'PX', ttlMs).sadd(NODES, nodeId).exec();
  }

  async reapDeadNodes(): Promise<string[]> {
    const nodes = await this.redis.smembers(NODES);
    const affected = new Set<string>();
    for (const nodeId of nodes) {
      if (await this.redis.exists(NODE_ALIVE(nodeId))) continue;
      const entries = await this.redis.smembers(NODE_SOCKETS(nodeId));
      const multi = this.redis.multi();
      for (const entry of entries) {
        const [userId, socketId] = entry.split('|');
        multi.hdel(USER(userId), socketId);
        affected.add(userId);
      }
      multi.del(NODE_SOCKETS(nodeId)).srem(NODES, nodeId);
      await multi.exec();
    }
    return [...affected];
  }

  async retire(nodeId: string): Promise<void> {
    await this.redis.multi().del(NODE_ALIVE(nodeId)).srem(NODES, nodeId).exec();
  }
}
