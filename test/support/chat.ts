import { randomUUID } from 'node:crypto';
import { auth, TestUser } from './factories';
import { API, TestApp } from './test-app';

/** Small client helpers for conversations and messages. */
export function chat(t: TestApp) {
  return {
    async direct(a: TestUser, b: TestUser, contextId?: string) {
      const res = await t
        .http()
        .post(`${API}/conversations`)
        .set(auth(a.token))
        .send({ type: 'direct', participantIds: [b.id], ...(contextId ? { contextId } : {}) });
      if (res.status !== 201 && res.status !== 200)
        throw new Error(`direct: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: string } & Record<string, any>;
    },
    /** Turns on autoAcceptGroupInvites, so the user joins groups as active at once. */
    async autoAccept(user: TestUser) {
      const res = await t
        .http()
        .patch(`${API}/users/me/message-settings`)
        .set(auth(user.token))
        .send({ autoAcceptGroupInvites: true });
      if (res.status !== 200)
        throw new Error(`settings: ${res.status} ${JSON.stringify(res.body)}`);
    },
    async group(admin: TestUser, members: TestUser[], title = 'Team') {
      const res = await t
        .http()
        .post(`${API}/conversations`)
        .set(auth(admin.token))
        .send({ type: 'group', participantIds: members.map((m) => m.id), title });
      if (res.status !== 201) throw new Error(`group: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: string } & Record<string, any>;
    },
    async send(
      user: TestUser,
      conversationId: string,
      content = `hello ${randomUUID()}`,
      extra: object = {},
    ) {
      const res = await t
        .http()
        .post(`${API}/conversations/${conversationId}/messages`)
        .set(auth(user.token))
        .send({ content, ...extra });
      if (res.status !== 201 && res.status !== 200)
        throw new Error(`send: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: string; seq: number; version: number } & Record<string, any>;
    },
    async get(user: TestUser, conversationId: string) {
      const res = await t
        .http()
        .get(`${API}/conversations/${conversationId}`)
        .set(auth(user.token))
        .expect(200);
      return res.body as Record<string, any>;
    },
    async history(user: TestUser, conversationId: string, query = '') {
      const res = await t
        .http()
        .get(`${API}/conversations/${conversationId}/messages${query}`)
        .set(auth(user.token))
        .expect(200);
      return res.body.items as Record<string, any>[];
    },
  };
}
