import { io, type Socket } from 'socket.io-client';
import type { ErrorBody } from './api/types';

export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/**
 * The `/messaging` socket. The token is read at every (re)connection, so a refreshed token is
 * used on reconnect. The browser going offline drops the socket at once (rather than after the
 * ping timeout) and coming back online reconnects it.
 */
export function connectSocket(token: () => Promise<string | null>): Socket {
  const socket = io('/messaging', {
    autoConnect: false,
    transports: ['websocket', 'polling'],
    auth: (cb) => {
      token().then(
        (t) => cb({ token: t }),
        () => cb({ token: null }),
      );
    },
  });
  window.addEventListener('offline', () => socket.disconnect());
  window.addEventListener('online', () => socket.connect());
  document.addEventListener('visibilitychange', () => {
    // back from sleep: a socket that silently died is replaced at once
    if (document.visibilityState === 'visible' && !socket.connected && navigator.onLine) {
      socket.connect();
    }
  });
  socket.connect();
  return socket;
}

/** Emits with an acknowledgement; rejects when none comes within `ms` (e.g. the link died). */
export function request<T>(socket: Socket, event: string, payload: unknown, ms = 10_000) {
  return new Promise<Ack<T>>((resolve, reject) => {
    socket.timeout(ms).emit(event, payload, (err: Error | null, ack: Ack<T>) => {
      if (err) reject(err);
      else resolve(ack);
    });
  });
}
