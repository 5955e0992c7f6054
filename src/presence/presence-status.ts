export type PresenceStatus = 'online' | 'away' | 'offline';
export type SocketStatus = 'online' | 'away';

/**
 * A user's status from the statuses of their open sockets: online while any socket is online,
 * away when every socket said away, offline with none.
 */
export function presenceOf(sockets: SocketStatus[]): PresenceStatus {
  if (sockets.length === 0) return 'offline';
  return sockets.some((s) => s === 'online') ? 'online' : 'away';
}
