// The baseline: a bare Socket.IO 4.8.3 relay with the service's namespace and transport options
// and no database. The handshake names the user and their peer (`auth: {userId, peerId}`); each
// socket joins `user:<id>`; on `message:send` the relay acks `{ok, data: message}` and emits
// `message:new` to the recipient's user room, like the service's fan-out.
//
// Started with child_process.fork; reports {type: 'listening', port} and answers {type: 'memory'}.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { Server } from 'socket.io';

const server = http.createServer();
const ioServer = new Server(server, {
  path: '/socket.io',
  maxHttpBufferSize: 256 * 1024,
  transports: ['websocket', 'polling'],
  pingInterval: 20_000,
  pingTimeout: 20_000,
  cors: { origin: true },
});
const namespace = ioServer.of('/messaging');
const seqs = new Map();

namespace.use((socket, next) => {
  const { userId, peerId } = socket.handshake.auth ?? {};
  if (typeof userId !== 'string' || typeof peerId !== 'string') {
    next(new Error('unauthorized'));
    return;
  }
  socket.data.userId = userId;
  socket.data.peerId = peerId;
  next();
});

namespace.on('connection', (socket) => {
  void socket.join(`user:${socket.data.userId}`);
  socket.on('message:send', (payload, ack) => {
    const respond = typeof ack === 'function' ? ack : () => undefined;
    if (typeof payload?.conversationId !== 'string' || typeof payload?.content !== 'string') {
      respond({
        ok: false,
        error: { statusCode: 400, code: 'VALIDATION_FAILED', message: 'bad payload' },
      });
      return;
    }
    const seq = (seqs.get(payload.conversationId) ?? 0) + 1;
    seqs.set(payload.conversationId, seq);
    const message = {
      id: randomUUID(),
      conversationId: payload.conversationId,
      seq,
      version: seq,
      clientMessageId: payload.clientMessageId ?? null,
      senderId: socket.data.userId,
      type: 'text',
      content: payload.content,
      createdAt: new Date().toISOString(),
    };
    respond({ ok: true, data: message });
    namespace
      .to(`user:${socket.data.peerId}`)
      .except(socket.id)
      .emit('message:new', { conversationId: payload.conversationId, message });
  });
});

server.listen(0, '127.0.0.1', () => {
  process.send({ type: 'listening', port: server.address().port });
});

// {type: 'memory', gc: true} runs a full collection first (the relay is forked with --expose-gc).
process.on('message', (msg) => {
  if (msg?.type !== 'memory') return;
  if (msg.gc && typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
  process.send({ type: 'memory', ...process.memoryUsage() });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  void ioServer.close();
  process.exit(0);
});
