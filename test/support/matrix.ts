import type { Response, Test } from 'supertest';
import { auth, createUser, TestUser } from './factories';
import { API, TestApp } from './test-app';

export type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

/** One REST call under `/api/v1`, with the body it sends (if any). */
export interface RouteCall {
  method: Method;
  path: string;
  body?: object;
}

/** Sends `route` as `user`. */
export function call(t: TestApp, user: TestUser, route: RouteCall): Test {
  const req = t.http()[route.method](`${API}${route.path}`).set(auth(user.token));
  return route.body ? req.send(route.body) : req;
}

/** Asserts the HTTP status and the error `code` together, so a failure shows both. */
export function expectError(res: Response, status: number, code: string): void {
  expect({ status: res.status, code: (res.body as { code?: string }).code }).toEqual({
    status,
    code,
  });
}

/** Registers `n` users at once (verified unless told otherwise). */
export function createUsers(
  t: TestApp,
  n: number,
  opts: { verified?: boolean } = {},
): Promise<TestUser[]> {
  return Promise.all(Array.from({ length: n }, () => createUser(t, opts)));
}

export interface MessageSettingsPatch {
  allowMessagesFrom?: 'anyone' | 'verified_only' | 'connections_only';
  autoAcceptGroupInvites?: boolean;
}

export async function setMessageSettings(
  t: TestApp,
  user: TestUser,
  patch: MessageSettingsPatch,
): Promise<void> {
  await call(t, user, { method: 'patch', path: '/users/me/message-settings', body: patch }).expect(
    200,
  );
}

/** Registers `n` verified users who join groups at once instead of being invited. */
export async function createJoiningUsers(t: TestApp, n: number): Promise<TestUser[]> {
  const users = await createUsers(t, n);
  await Promise.all(users.map((u) => setMessageSettings(t, u, { autoAcceptGroupInvites: true })));
  return users;
}

export async function block(t: TestApp, blocker: TestUser, blocked: TestUser): Promise<void> {
  await call(t, blocker, { method: 'post', path: `/users/${blocked.id}/block` }).expect(204);
}

export async function unblock(t: TestApp, blocker: TestUser, blocked: TestUser): Promise<void> {
  await call(t, blocker, { method: 'delete', path: `/users/${blocked.id}/block` }).expect(204);
}

/** Every conversation id of the user's list (`archived` as given), following `nextCursor`. */
export async function listedIds(t: TestApp, user: TestUser, query = ''): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const qs = [query, 'limit=100', cursor ? `cursor=${encodeURIComponent(cursor)}` : '']
      .filter(Boolean)
      .join('&');
    const res = await call(t, user, { method: 'get', path: `/conversations?${qs}` }).expect(200);
    const body = res.body as { items: { id: string }[]; nextCursor: string | null };
    ids.push(...body.items.map((c) => c.id));
    if (body.nextCursor === null) return ids;
    cursor = body.nextCursor;
  }
  throw new Error('the conversation list did not end within 100 pages');
}

/** The ids a route of the privacy matrix is called with. */
export interface MatrixIds {
  conversationId: string;
  messageId: string;
  /** a participant of the conversation other than the caller */
  memberId: string;
  /** a verified user who is not in the conversation */
  strangerId: string;
  /** the caller */
  selfId: string;
}

export interface MatrixRoute {
  name: string;
  build: (ids: MatrixIds) => RouteCall;
}

const THUMBS_UP = encodeURIComponent('👍');
const conv = (ids: MatrixIds): string => `/conversations/${ids.conversationId}`;
const msg = (ids: MatrixIds): string => `${conv(ids)}/messages/${ids.messageId}`;

/** The routes of API.md that read or write one conversation's messages, with a valid request each. */
export const MESSAGE_ROUTES: MatrixRoute[] = [
  {
    name: 'POST /conversations/:id/messages',
    build: (ids) => ({ method: 'post', path: `${conv(ids)}/messages`, body: { content: 'hi!' } }),
  },
  {
    name: 'GET /conversations/:id/messages',
    build: (ids) => ({ method: 'get', path: `${conv(ids)}/messages?afterSeq=0` }),
  },
  {
    name: 'GET /conversations/:id/messages/:messageId',
    build: (ids) => ({ method: 'get', path: msg(ids) }),
  },
  {
    name: 'PATCH /conversations/:id/messages/:messageId',
    build: (ids) => ({ method: 'patch', path: msg(ids), body: { content: 'rewritten' } }),
  },
  {
    name: 'DELETE /conversations/:id/messages/:messageId',
    build: (ids) => ({ method: 'delete', path: msg(ids) }),
  },
  {
    name: 'GET /conversations/:id/messages/:messageId/replies',
    build: (ids) => ({ method: 'get', path: `${msg(ids)}/replies` }),
  },
  {
    name: 'PUT /conversations/:id/messages/:messageId/reactions/:emoji',
    build: (ids) => ({ method: 'put', path: `${msg(ids)}/reactions/${THUMBS_UP}` }),
  },
  {
    name: 'DELETE /conversations/:id/messages/:messageId/reactions/:emoji',
    build: (ids) => ({ method: 'delete', path: `${msg(ids)}/reactions/${THUMBS_UP}` }),
  },
  {
    name: 'GET /conversations/:id/messages/:messageId/receipts',
    build: (ids) => ({ method: 'get', path: `${msg(ids)}/receipts` }),
  },
  {
    name: 'POST /conversations/:id/messages/:messageId/report',
    build: (ids) => ({ method: 'post', path: `${msg(ids)}/report`, body: { reason: 'spam' } }),
  },
  {
    name: 'GET /conversations/:id/changes',
    build: (ids) => ({ method: 'get', path: `${conv(ids)}/changes?sinceVersion=0` }),
  },
  {
    name: 'POST /conversations/:id/read',
    build: (ids) => ({ method: 'post', path: `${conv(ids)}/read`, body: { upToSeq: 1 } }),
  },
];

/** Every route of API.md on one conversation, with a valid request each. */
export const CONVERSATION_ROUTES: MatrixRoute[] = [
  { name: 'GET /conversations/:id', build: (ids) => ({ method: 'get', path: conv(ids) }) },
  {
    name: 'PATCH /conversations/:id',
    build: (ids) => ({ method: 'patch', path: conv(ids), body: { title: 'Taken over' } }),
  },
  { name: 'DELETE /conversations/:id', build: (ids) => ({ method: 'delete', path: conv(ids) }) },
  {
    name: 'POST /conversations/:id/participants',
    build: (ids) => ({
      method: 'post',
      path: `${conv(ids)}/participants`,
      body: { userIds: [ids.strangerId] },
    }),
  },
  {
    name: 'DELETE /conversations/:id/participants/:userId (someone else)',
    build: (ids) => ({ method: 'delete', path: `${conv(ids)}/participants/${ids.memberId}` }),
  },
  {
    name: 'DELETE /conversations/:id/participants/:userId (self)',
    build: (ids) => ({ method: 'delete', path: `${conv(ids)}/participants/${ids.selfId}` }),
  },
  {
    name: 'PATCH /conversations/:id/participants/:userId',
    build: (ids) => ({
      method: 'patch',
      path: `${conv(ids)}/participants/${ids.memberId}`,
      body: { role: 'admin' },
    }),
  },
  {
    name: 'POST /conversations/:id/invitation/accept',
    build: (ids) => ({ method: 'post', path: `${conv(ids)}/invitation/accept` }),
  },
  {
    name: 'POST /conversations/:id/invitation/decline',
    build: (ids) => ({ method: 'post', path: `${conv(ids)}/invitation/decline` }),
  },
  {
    name: 'POST /conversations/:id/archive',
    build: (ids) => ({ method: 'post', path: `${conv(ids)}/archive` }),
  },
  {
    name: 'POST /conversations/:id/unarchive',
    build: (ids) => ({ method: 'post', path: `${conv(ids)}/unarchive` }),
  },
  {
    name: 'POST /conversations/:id/mute',
    build: (ids) => ({ method: 'post', path: `${conv(ids)}/mute`, body: {} }),
  },
  {
    name: 'POST /conversations/:id/unmute',
    build: (ids) => ({ method: 'post', path: `${conv(ids)}/unmute` }),
  },
  ...MESSAGE_ROUTES,
];
