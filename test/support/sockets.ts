import { io, Socket } from 'socket.io-client';

export type ClientSocket = Socket;

/** Connects to `/messaging` with a token; resolves once connected, rejects on connect_error. */
export function connect(
  baseUrl: string,
  token: string | undefined,
  options: { transports?: string[] } = {},
) {
  const socket = io(`${baseUrl}/messaging`, {
    auth: token === undefined ? {} : { token },
    transports: options.transports ?? ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  return new Promise<ClientSocket>((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Emits with an acknowledgement and resolves with the ack. */
export function call<T = any>(
  socket: ClientSocket,
  event: string,
  payload?: unknown,
  timeoutMs = 5000,
): Promise<T> {
  return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<T>;
}

/** Resolves with the first `event` whose payload matches. */
export function waitFor<T = any>(
  socket: ClientSocket,
  event: string,
  match: (payload: T) => boolean = () => true,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, handler);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const handler = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, handler);
      resolve(payload);
    };
    socket.on(event, handler);
  });
}

/** Records every payload of the given events, for asserting that something did NOT arrive. */
export function record(socket: ClientSocket, events: string[]) {
  const seen: { event: string; payload: any }[] = [];
  socket.onAny((event: string, payload: unknown) => {
    if (events.includes(event)) seen.push({ event, payload });
  });
  return seen;
}

/** Resolves after a round trip to the server: everything emitted before has been delivered. */
export async function settle(...sockets: ClientSocket[]): Promise<void> {
  await Promise.all(sockets.map((s) => call(s, 'presence:set', { status: 'online' })));
}
