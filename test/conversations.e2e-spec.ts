import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { chat } from './support/chat';
import { TestUser } from './support/factories';
import {
  block,
  call,
  createJoiningUsers,
  createUsers,
  expectError,
  listedIds,
  setMessageSettings,
} from './support/matrix';
import { startTestApp, TestApp } from './support/test-app';

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface Participant {
  userId: string;
  role: 'admin' | 'member';
  status: 'active' | 'invited';
}

const idsOf = (items: { id: string }[]): string[] => items.map((i) => i.id);
const userIdsOf = (participants: Participant[]): string[] =>
  participants.map((p) => p.userId).sort();
const sortedIds = (...users: TestUser[]): string[] => users.map((u) => u.id).sort();

describe('conversations', () => {
  let t: TestApp;
  let c: ReturnType<typeof chat>;
  /** ten verified users with the default settings; never changed, blocked or made to block */
  let pool: TestUser[];

  beforeAll(async () => {
    t = await startTestApp();
    c = chat(t);
    pool = await createUsers(t, 10);
  });
  afterAll(() => t.close());

  const create = (user: TestUser, body: object) =>
    call(t, user, { method: 'post', path: '/conversations', body });
  const send = (user: TestUser, conversationId: string, content: string) =>
    call(t, user, {
      method: 'post',
      path: `/conversations/${conversationId}/messages`,
      body: { content },
    });
  const post = (user: TestUser, path: string, body?: object) =>
    call(t, user, { method: 'post', path, body });
  const participantOf = async (viewer: TestUser, conversationId: string, user: TestUser) =>
    ((await c.get(viewer, conversationId)).participants as Participant[]).find(
      (p) => p.userId === user.id,
    );

  describe('direct conversations', () => {
    it('creates a direct conversation with 201, titled for each side after the other participant', async () => {
      const [a, b] = await createUsers(t, 2);
      const res = await create(a, { type: 'direct', participantIds: [b.id] }).expect(201);
      expect(res.body).toMatchObject({
        id: expect.any(String),
        type: 'direct',
        title: b.displayName,
        contextId: null,
        encryption: 'none',
        allowFileSharing: true,
        createdBy: a.id,
        createdAt: expect.stringMatching(ISO_MS),
        updatedAt: expect.stringMatching(ISO_MS),
        lastMessage: null,
        lastSeq: 0,
        lastVersion: 0,
        unreadCount: 0,
        archived: false,
        muted: false,
        mutedUntil: null,
        invitation: null,
      });
      expect(userIdsOf(res.body.participants)).toEqual(sortedIds(a, b));
      for (const p of res.body.participants as Participant[]) {
        expect(p).toMatchObject({ role: 'member', status: 'active' });
      }
      expect((await c.get(b, res.body.id)).title).toBe(a.displayName);
    });

    it('returns the existing conversation of the pair and contextId with 200, from either side', async () => {
      const [a, b] = await createUsers(t, 2);
      const first = await create(a, {
        type: 'direct',
        participantIds: [b.id],
        contextId: 'job:1',
      }).expect(201);
      const again = await create(a, {
        type: 'direct',
        participantIds: [b.id],
        contextId: 'job:1',
      }).expect(200);
      const fromOther = await create(b, {
        type: 'direct',
        participantIds: [a.id],
        contextId: 'job:1',
      }).expect(200);
      expect(again.body.id).toBe(first.body.id);
      expect(fromOther.body.id).toBe(first.body.id);
      expect(fromOther.body.title).toBe(a.displayName);
      expect(await listedIds(t, a)).toEqual([first.body.id]);
    });

    it('creates a separate direct conversation for another contextId', async () => {
      const [a, b] = await createUsers(t, 2);
      const job1 = await create(a, {
        type: 'direct',
        participantIds: [b.id],
        contextId: 'job:1',
      }).expect(201);
      const job2 = await create(a, {
        type: 'direct',
        participantIds: [b.id],
        contextId: 'job:2',
      }).expect(201);
      const none = await create(a, { type: 'direct', participantIds: [b.id] }).expect(201);
      expect(new Set([job1.body.id, job2.body.id, none.body.id]).size).toBe(3);
      expect(job2.body.contextId).toBe('job:2');
      expect(none.body.contextId).toBeNull();
    });

    it('creates exactly one conversation when both sides start it at the same time', async () => {
      const [a, b] = await createUsers(t, 2);
      const results = await Promise.all([
        create(a, { type: 'direct', participantIds: [b.id] }),
        create(b, { type: 'direct', participantIds: [a.id] }),
        create(a, { type: 'direct', participantIds: [b.id] }),
        create(b, { type: 'direct', participantIds: [a.id] }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
      expect(new Set(results.map((r) => r.body.id as string)).size).toBe(1);
      expect(await listedIds(t, a)).toEqual([results[0].body.id]);
      expect(await listedIds(t, b)).toEqual([results[0].body.id]);
    });

    it('refuses a direct conversation without exactly one other participant with 400', async () => {
      const [a, b, d] = await createUsers(t, 3);
      for (const participantIds of [[], [a.id], [b.id, d.id]]) {
        const res = await create(a, { type: 'direct', participantIds });
        expectError(res, 400, 'VALIDATION_FAILED');
      }
      expect(await listedIds(t, a)).toEqual([]);
    });

    it('ignores the caller listed among participantIds', async () => {
      const [a, b] = await createUsers(t, 2);
      const res = await create(a, { type: 'direct', participantIds: [a.id, b.id] }).expect(201);
      expect(userIdsOf(res.body.participants)).toEqual(sortedIds(a, b));
    });
  });

  describe('groups', () => {
    it('makes the creator admin and records the creation as system message seq 1', async () => {
      const [owner] = await createUsers(t, 1);
      const res = await create(owner, {
        type: 'group',
        participantIds: [pool[0].id, pool[1].id],
        title: 'Launch',
      }).expect(201);
      expect(res.body).toMatchObject({
        type: 'group',
        title: 'Launch',
        createdBy: owner.id,
        lastSeq: 1,
        unreadCount: 0,
      });
      expect(userIdsOf(res.body.participants)).toEqual(sortedIds(owner, pool[0], pool[1]));
      expect(res.body.participants.find((p: Participant) => p.userId === owner.id)).toMatchObject({
        role: 'admin',
        status: 'active',
      });
      expect(res.body.lastMessage).toMatchObject({ seq: 1, senderId: null, type: 'system' });
      const history = await c.history(owner, res.body.id);
      expect(history.map((m) => [m.seq, m.type, m.senderId])).toEqual([[1, 'system', null]]);
    });

    it('accepts a group with 9 others', async () => {
      const [owner] = await createUsers(t, 1);
      const res = await create(owner, {
        type: 'group',
        participantIds: pool.slice(0, 9).map((u) => u.id),
        title: 'Nine',
      }).expect(201);
      expect(res.body.participants).toHaveLength(10);
    });

    it('refuses a group with 10 others with 422 GROUP_FULL', async () => {
      const [owner] = await createUsers(t, 1);
      const res = await create(owner, {
        type: 'group',
        participantIds: pool.map((u) => u.id),
        title: 'Ten',
      });
      expectError(res, 422, 'GROUP_FULL');
      expect(await listedIds(t, owner)).toEqual([]);
    });
  });

  describe('who may start a conversation', () => {
    it('refuses an unverified caller with 403 USER_NOT_VERIFIED', async () => {
      const [unverified] = await createUsers(t, 1, { verified: false });
      expectError(
        await create(unverified, { type: 'direct', participantIds: [pool[0].id] }),
        403,
        'USER_NOT_VERIFIED',
      );
      expectError(
        await create(unverified, { type: 'group', participantIds: [pool[0].id], title: 'G' }),
        403,
        'USER_NOT_VERIFIED',
      );
    });

    it('refuses an unverified or unknown participant with 422 INVALID_PARTICIPANT', async () => {
      const [a] = await createUsers(t, 1);
      const [unverified] = await createUsers(t, 1, { verified: false });
      for (const body of [
        { type: 'direct', participantIds: [unverified.id] },
        { type: 'direct', participantIds: [randomUUID()] },
        { type: 'group', participantIds: [pool[0].id, unverified.id], title: 'G' },
        { type: 'group', participantIds: [pool[0].id, randomUUID()], title: 'G' },
      ]) {
        expectError(await create(a, body), 422, 'INVALID_PARTICIPANT');
      }
      expect(await listedIds(t, a)).toEqual([]);
    });

    it('refuses a stranger with 403 MESSAGES_NOT_ALLOWED when the other accepts connections only', async () => {
      const [picky, stranger] = await createUsers(t, 2);
      await setMessageSettings(t, picky, { allowMessagesFrom: 'connections_only' });
      expectError(
        await create(stranger, { type: 'direct', participantIds: [picky.id] }),
        403,
        'MESSAGES_NOT_ALLOWED',
      );
      expectError(
        await create(stranger, { type: 'group', participantIds: [picky.id], title: 'G' }),
        403,
        'MESSAGES_NOT_ALLOWED',
      );
      expect(await listedIds(t, picky)).toEqual([]);
    });

    it('lets a user who already shares a conversation reach a connections-only user', async () => {
      const [picky, friend] = await createUsers(t, 2);
      const first = await c.direct(friend, picky);
      await setMessageSettings(t, picky, { allowMessagesFrom: 'connections_only' });
      await create(friend, {
        type: 'direct',
        participantIds: [picky.id],
        contextId: 'another',
      }).expect(201);
      await create(friend, { type: 'group', participantIds: [picky.id], title: 'G' }).expect(201);
      await send(friend, first.id, 'still allowed').expect(201);
    });

    it('lets anyone start a conversation with a user who accepts messages from anyone', async () => {
      const [open, stranger] = await createUsers(t, 2);
      await setMessageSettings(t, open, { allowMessagesFrom: 'anyone' });
      await create(stranger, { type: 'direct', participantIds: [open.id] }).expect(201);
    });
  });

  describe('blocks', () => {
    it('refuses starting a direct conversation with 403 BLOCKED when either side blocked the other', async () => {
      const [a, b] = await createUsers(t, 2);
      await block(t, a, b);
      expectError(await create(a, { type: 'direct', participantIds: [b.id] }), 403, 'BLOCKED');
      expectError(await create(b, { type: 'direct', participantIds: [a.id] }), 403, 'BLOCKED');
      expect(await listedIds(t, a)).toEqual([]);
    });

    it('refuses sending in an existing direct conversation with 403 BLOCKED, both ways', async () => {
      const [a, b] = await createUsers(t, 2);
      const conversation = await c.direct(a, b);
      await c.send(a, conversation.id, 'before the block');
      await block(t, b, a);
      expectError(await send(a, conversation.id, 'after'), 403, 'BLOCKED');
      expectError(await send(b, conversation.id, 'after'), 403, 'BLOCKED');
      expectError(await create(a, { type: 'direct', participantIds: [b.id] }), 403, 'BLOCKED');
      expect((await c.get(a, conversation.id)).lastSeq).toBe(1);
    });

    it('refuses adding a blocked user to a group with 403 BLOCKED, either way', async () => {
      const [owner, blockedByOwner, blocksOwner] = await createUsers(t, 3);
      await block(t, owner, blockedByOwner);
      await block(t, blocksOwner, owner);
      expectError(
        await create(owner, { type: 'group', participantIds: [blockedByOwner.id], title: 'G' }),
        403,
        'BLOCKED',
      );
      expectError(
        await create(owner, { type: 'group', participantIds: [blocksOwner.id], title: 'G' }),
        403,
        'BLOCKED',
      );
      const group = await c.group(owner, [pool[0]]);
      for (const user of [blockedByOwner, blocksOwner]) {
        expectError(
          await post(owner, `/conversations/${group.id}/participants`, { userIds: [user.id] }),
          403,
          'BLOCKED',
        );
      }
      expect(userIdsOf((await c.get(owner, group.id)).participants)).toEqual(
        sortedIds(owner, pool[0]),
      );
    });

    it('keeps two users who block each other in their group, both able to send', async () => {
      const [owner] = await createUsers(t, 1);
      const [p, q] = await createJoiningUsers(t, 2);
      const group = await c.group(owner, [p, q]);
      await block(t, p, q);
      await block(t, q, p);
      await send(p, group.id, 'from p').expect(201);
      await send(q, group.id, 'from q').expect(201);
      expect(userIdsOf((await c.get(owner, group.id)).participants)).toEqual(
        sortedIds(owner, p, q),
      );
    });
  });

  describe('invitations', () => {
    let owner: TestUser;
    let invitee: TestUser;
    let groupId: string;

    beforeAll(async () => {
      [owner, invitee] = await createUsers(t, 2);
      const [joiner] = await createJoiningUsers(t, 1);
      groupId = (await c.group(owner, [invitee, joiner], 'Invites')).id;
      await c.send(owner, groupId, 'said before the acceptance');
    });

    it('shows an invited user the conversation as a pending invitation, with nothing unread and no last message', async () => {
      const view = await c.get(invitee, groupId);
      expect(view).toMatchObject({
        title: 'Invites',
        invitation: 'pending',
        unreadCount: 0,
        lastMessage: null,
      });
      expect(view.participants.find((p: Participant) => p.userId === invitee.id)).toMatchObject({
        status: 'invited',
      });
      expect(await listedIds(t, invitee)).toContain(groupId);
    });

    it('answers 404 to an invited user reading the history or sending', async () => {
      const history = await call(t, invitee, {
        method: 'get',
        path: `/conversations/${groupId}/messages`,
      });
      expectError(history, 404, 'NOT_FOUND');
      expectError(await send(invitee, groupId, 'let me in'), 404, 'NOT_FOUND');
      expect((await c.get(owner, groupId)).lastSeq).toBe(2);
    });

    it('shows an accepting user the messages from the acceptance system message on, that one first', async () => {
      const res = await post(invitee, `/conversations/${groupId}/invitation/accept`).expect(200);
      expect(res.body.invitation).toBeNull();
      expect(res.body.participants.find((p: Participant) => p.userId === invitee.id)).toMatchObject(
        { status: 'active' },
      );
      await c.send(owner, groupId, 'said after the acceptance');
      const history = await c.history(invitee, groupId, '?afterSeq=0');
      expect(history.map((m) => m.content)).not.toContain('said before the acceptance');
      expect(history[0]).toMatchObject({
        type: 'system',
        senderId: null,
        system: { kind: 'invitation_accepted', actorId: invitee.id },
      });
      expect(history.map((m) => m.content)).toContain('said after the acceptance');
    });

    it('makes a declined invitation disappear for the invitee (204, then 404)', async () => {
      const [other] = await createUsers(t, 1);
      const group = await c.group(owner, [other], 'Declined');
      await post(other, `/conversations/${group.id}/invitation/decline`).expect(204);
      expectError(
        await call(t, other, { method: 'get', path: `/conversations/${group.id}` }),
        404,
        'NOT_FOUND',
      );
      expect(await listedIds(t, other)).not.toContain(group.id);
      expect(userIdsOf((await c.get(owner, group.id)).participants)).toEqual(sortedIds(owner));
    });

    it('adds an auto-accepting user as active, seeing messages from the system message announcing them on', async () => {
      const group = await c.group(owner, [pool[2]], 'Later');
      await c.send(owner, group.id, 'said before they joined');
      const [joiner] = await createJoiningUsers(t, 1);
      await post(owner, `/conversations/${group.id}/participants`, {
        userIds: [joiner.id],
      }).expect(200);
      expect(await participantOf(joiner, group.id, joiner)).toMatchObject({ status: 'active' });
      const history = await c.history(joiner, group.id, '?afterSeq=0');
      expect(history[0]).toMatchObject({
        type: 'system',
        senderId: null,
        system: { kind: 'members_added', userIds: [joiner.id] },
      });
      expect(history.map((m) => m.content)).not.toContain('said before they joined');
    });
  });

  describe('group administration', () => {
    it('lets the admin change the title, recorded by a system message', async () => {
      const [owner] = await createUsers(t, 1);
      const [member] = await createJoiningUsers(t, 1);
      const group = await c.group(owner, [member], 'Old title');
      const res = await call(t, owner, {
        method: 'patch',
        path: `/conversations/${group.id}`,
        body: { title: 'New title' },
      }).expect(200);
      expect(res.body).toMatchObject({ title: 'New title', lastSeq: 2 });
      expect(res.body.lastMessage).toMatchObject({
        type: 'system',
        senderId: null,
        system: { kind: 'title_changed', title: 'New title' },
      });
      expect(await c.get(member, group.id)).toMatchObject({ title: 'New title', unreadCount: 2 });
      expect((await c.get(owner, group.id)).unreadCount).toBe(0);
    });

    it('refuses a title change by a member with 403 NOT_GROUP_ADMIN', async () => {
      const [owner] = await createUsers(t, 1);
      const [member] = await createJoiningUsers(t, 1);
      const group = await c.group(owner, [member], 'Kept');
      const res = await call(t, member, {
        method: 'patch',
        path: `/conversations/${group.id}`,
        body: { title: 'Mine now' },
      });
      expectError(res, 403, 'NOT_GROUP_ADMIN');
      expect(await c.get(owner, group.id)).toMatchObject({ title: 'Kept', lastSeq: 1 });
    });

    it('adds participants up to 10 members, invited ones counted, then answers 422 GROUP_FULL', async () => {
      const [owner] = await createUsers(t, 1);
      const group = await c.group(owner, [pool[0]], 'Filling up');
      const add = (users: TestUser[]) =>
        post(owner, `/conversations/${group.id}/participants`, { userIds: users.map((u) => u.id) });
      const seven = await add(pool.slice(1, 8)).expect(200);
      expect(seven.body.participants).toHaveLength(9);
      expect(seven.body.lastMessage).toMatchObject({
        type: 'system',
        system: { kind: 'members_added' },
      });
      expectError(await add(pool.slice(8, 10)), 422, 'GROUP_FULL');
      expect((await c.get(owner, group.id)).participants).toHaveLength(9);
      await add([pool[8]]).expect(200);
      expectError(await add([pool[9]]), 422, 'GROUP_FULL');
      const view = await c.get(owner, group.id);
      expect(view.participants).toHaveLength(10);
      expect(userIdsOf(view.participants)).not.toContain(pool[9].id);
    });

    it('lets the admin remove a member, who then gets 404', async () => {
      const [owner] = await createUsers(t, 1);
      const [member, other] = await createJoiningUsers(t, 2);
      const group = await c.group(owner, [member, other]);
      await call(t, owner, {
        method: 'delete',
        path: `/conversations/${group.id}/participants/${member.id}`,
      }).expect(204);
      const view = await c.get(owner, group.id);
      expect(userIdsOf(view.participants)).toEqual(sortedIds(owner, other));
      expect(view.lastMessage).toMatchObject({
        type: 'system',
        system: { kind: 'member_removed', userIds: [member.id] },
      });
      expectError(
        await call(t, member, { method: 'get', path: `/conversations/${group.id}` }),
        404,
        'NOT_FOUND',
      );
    });

    it('lets a member leave', async () => {
      const [owner] = await createUsers(t, 1);
      const [member, other] = await createJoiningUsers(t, 2);
      const group = await c.group(owner, [member, other]);
      await call(t, member, {
        method: 'delete',
        path: `/conversations/${group.id}/participants/${member.id}`,
      }).expect(204);
      const view = await c.get(owner, group.id);
      expect(userIdsOf(view.participants)).toEqual(sortedIds(owner, other));
      expect(view.lastMessage).toMatchObject({
        type: 'system',
        system: { kind: 'member_left' },
      });
      expectError(
        await call(t, member, { method: 'get', path: `/conversations/${group.id}` }),
        404,
        'NOT_FOUND',
      );
    });

    it('refuses a member removing another member with 403 NOT_GROUP_ADMIN', async () => {
      const [owner] = await createUsers(t, 1);
      const [member, other] = await createJoiningUsers(t, 2);
      const group = await c.group(owner, [member, other]);
      const res = await call(t, member, {
        method: 'delete',
        path: `/conversations/${group.id}/participants/${other.id}`,
      });
      expectError(res, 403, 'NOT_GROUP_ADMIN');
      expect(userIdsOf((await c.get(owner, group.id)).participants)).toEqual(
        sortedIds(owner, member, other),
      );
    });

    it('hands admin to the longest-standing member when the last admin leaves', async () => {
      const [owner, lateAccepter] = await createUsers(t, 2);
      const [early, late] = await createJoiningUsers(t, 2);
      // joinedAt order: early (at creation), late (added after), lateAccepter (accepted last)
      const group = await c.group(owner, [lateAccepter, early]);
      await post(owner, `/conversations/${group.id}/participants`, { userIds: [late.id] }).expect(
        200,
      );
      await post(lateAccepter, `/conversations/${group.id}/invitation/accept`).expect(200);
      await call(t, owner, {
        method: 'delete',
        path: `/conversations/${group.id}/participants/${owner.id}`,
      }).expect(204);
      const roles = Object.fromEntries(
        ((await c.get(early, group.id)).participants as Participant[]).map((p) => [
          p.userId,
          p.role,
        ]),
      );
      expect(roles).toEqual({
        [early.id]: 'admin',
        [late.id]: 'member',
        [lateAccepter.id]: 'member',
      });
    });

    it('lets the admin make a member admin, who can then administer the group', async () => {
      const [owner] = await createUsers(t, 1);
      const [member] = await createJoiningUsers(t, 1);
      const group = await c.group(owner, [member]);
      const res = await call(t, owner, {
        method: 'patch',
        path: `/conversations/${group.id}/participants/${member.id}`,
        body: { role: 'admin' },
      }).expect(200);
      expect(res.body).toMatchObject({ userId: member.id, role: 'admin', status: 'active' });
      await call(t, member, {
        method: 'patch',
        path: `/conversations/${group.id}`,
        body: { title: 'By the new admin' },
      }).expect(200);
    });

    it('refuses a role change by a member with 403 NOT_GROUP_ADMIN', async () => {
      const [owner] = await createUsers(t, 1);
      const [member] = await createJoiningUsers(t, 1);
      const group = await c.group(owner, [member]);
      const res = await call(t, member, {
        method: 'patch',
        path: `/conversations/${group.id}/participants/${member.id}`,
        body: { role: 'admin' },
      });
      expectError(res, 403, 'NOT_GROUP_ADMIN');
      expect(await participantOf(owner, group.id, member)).toMatchObject({ role: 'member' });
    });
  });

  describe("the caller's own view", () => {
    it('lists each conversation with its last message as sent, sender profile and unread count included', async () => {
      const [a, b] = await createUsers(t, 2);
      const conversation = await c.direct(a, b);
      await c.send(a, conversation.id, 'first');
      const last = await c.send(b, conversation.id, 'the latest one');
      const res = await call(t, a, { method: 'get', path: '/conversations' }).expect(200);
      const listed = (res.body.items as { id: string }[]).find((i) => i.id === conversation.id);
      expect(listed).toMatchObject({
        lastSeq: 2,
        unreadCount: 1,
        lastMessage: {
          id: last.id,
          seq: 2,
          content: 'the latest one',
          senderId: b.id,
          sender: {
            id: b.id,
            displayName: expect.any(String),
            verificationStatus: 'verified',
          },
        },
      });
    });

    it('archives and unarchives, and a new message does not unarchive', async () => {
      const [a, b] = await createUsers(t, 2);
      const conversation = await c.direct(a, b);
      const archived = await post(a, `/conversations/${conversation.id}/archive`).expect(200);
      expect(archived.body.archived).toBe(true);
      expect((await c.get(b, conversation.id)).archived).toBe(false);
      expect(await listedIds(t, a)).not.toContain(conversation.id);
      expect(await listedIds(t, a, 'archived=true')).toEqual([conversation.id]);

      await c.send(b, conversation.id, 'are you there?');
      expect((await c.get(a, conversation.id)).archived).toBe(true);
      expect(await listedIds(t, a, 'archived=true')).toEqual([conversation.id]);
      expect(await listedIds(t, a)).not.toContain(conversation.id);

      const unarchived = await post(a, `/conversations/${conversation.id}/unarchive`).expect(200);
      expect(unarchived.body.archived).toBe(false);
      expect(await listedIds(t, a)).toEqual([conversation.id]);
      expect(await listedIds(t, a, 'archived=true')).toEqual([]);
    });

    it('mutes until unmuted when no until is given, and unmutes', async () => {
      const [a, b] = await createUsers(t, 2);
      const conversation = await c.direct(a, b);
      const muted = await post(a, `/conversations/${conversation.id}/mute`, {}).expect(200);
      expect(muted.body).toMatchObject({ muted: true, mutedUntil: null });
      expect((await c.get(b, conversation.id)).muted).toBe(false);
      const unmuted = await post(a, `/conversations/${conversation.id}/unmute`).expect(200);
      expect(unmuted.body).toMatchObject({ muted: false, mutedUntil: null });
    });

    it('mutes until a given time', async () => {
      const [a, b] = await createUsers(t, 2);
      const conversation = await c.direct(a, b);
      const until = new Date(Date.now() + 3_600_000).toISOString();
      const res = await post(a, `/conversations/${conversation.id}/mute`, { until }).expect(200);
      expect(res.body).toMatchObject({ muted: true, mutedUntil: until });
      expect((await c.get(a, conversation.id)).mutedUntil).toBe(until);
    });

    it('refuses a mute until a time in the past with 400', async () => {
      const [a, b] = await createUsers(t, 2);
      const conversation = await c.direct(a, b);
      const until = new Date(Date.now() - 60_000).toISOString();
      expectError(
        await post(a, `/conversations/${conversation.id}/mute`, { until }),
        400,
        'VALIDATION_FAILED',
      );
      expect(await c.get(a, conversation.id)).toMatchObject({ muted: false, mutedUntil: null });
    });

    it('deletes a conversation for the caller only', async () => {
      const [a, b] = await createUsers(t, 2);
      const conversation = await c.direct(a, b);
      const first = await c.send(a, conversation.id, 'one');
      await c.send(b, conversation.id, 'two');
      await call(t, a, { method: 'delete', path: `/conversations/${conversation.id}` }).expect(204);
      expect(await listedIds(t, a)).not.toContain(conversation.id);
      expect(await c.get(a, conversation.id)).toMatchObject({
        lastMessage: null,
        unreadCount: 0,
      });
      expect(await c.history(a, conversation.id)).toEqual([]);
      const changes = await call(t, a, {
        method: 'get',
        path: `/conversations/${conversation.id}/changes?sinceVersion=0`,
      }).expect(200);
      expect(changes.body.items).toEqual([]);
      expectError(
        await call(t, a, {
          method: 'get',
          path: `/conversations/${conversation.id}/messages/${first.id}`,
        }),
        404,
        'NOT_FOUND',
      );
      const other = await c.get(b, conversation.id);
      expect(other.lastMessage).toMatchObject({ content: 'two' });
      expect(await listedIds(t, b)).toEqual([conversation.id]);
      expect((await c.history(b, conversation.id)).map((m) => m.content)).toEqual(['two', 'one']);
    });

    it('brings a conversation deleted for me back with only the newer messages when one arrives', async () => {
      const [a, b] = await createUsers(t, 2);
      const conversation = await c.direct(a, b);
      await c.send(b, conversation.id, 'old news');
      await call(t, a, { method: 'delete', path: `/conversations/${conversation.id}` }).expect(204);
      await c.send(b, conversation.id, 'fresh news');
      expect(await listedIds(t, a)).toEqual([conversation.id]);
      expect((await c.history(a, conversation.id)).map((m) => m.content)).toEqual(['fresh news']);
      expect(await c.get(a, conversation.id)).toMatchObject({
        unreadCount: 1,
        lastMessage: { content: 'fresh news' },
      });
    });
  });

  describe('the conversation list', () => {
    it('orders conversations by last activity, newest first', async () => {
      const [owner] = await createUsers(t, 1);
      const g1 = await c.group(owner, [pool[3]], 'g1');
      const g2 = await c.group(owner, [pool[3]], 'g2');
      const g3 = await c.group(owner, [pool[3]], 'g3');
      expect(await listedIds(t, owner)).toEqual([g3.id, g2.id, g1.id]);
      await c.send(owner, g1.id, 'bump');
      expect(await listedIds(t, owner)).toEqual([g1.id, g3.id, g2.id]);
    });

    it('pages by activity without skipping or repeating an untouched conversation while others move to the top', async () => {
      const [owner] = await createUsers(t, 1);
      const created: string[] = [];
      for (let i = 1; i <= 12; i++) created.push((await c.group(owner, [pool[4]], `p${i}`)).id);
      const seen: string[] = [];
      const touched: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 10; page++) {
        const query: string = `/conversations?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res: Response = await call(t, owner, { method: 'get', path: query }).expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(5);
        seen.push(...idsOf(res.body.items));
        cursor = res.body.nextCursor;
        if (cursor === null) break;
        // while paging, the oldest conversation not served yet and one already served become
        // active and move to the top
        const unseen = created.filter((id) => !seen.includes(id) && !touched.includes(id));
        const served = seen.filter((id) => !touched.includes(id));
        for (const id of [unseen[0], served[0]].filter(Boolean)) {
          await c.send(owner, id, `bump ${page}`);
          touched.push(id);
        }
      }
      expect(cursor).toBeNull();
      const touchedUnseen = touched.filter((id) => seen.indexOf(id) === -1);
      expect(touchedUnseen.length).toBeGreaterThanOrEqual(2);
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of created.filter((x) => !touchedUnseen.includes(x))) {
        expect(seen.filter((x) => x === id)).toHaveLength(1);
      }
      const fresh = await listedIds(t, owner);
      expect(fresh.slice(0, touched.length)).toEqual([...touched].reverse());
      expect([...fresh].sort()).toEqual([...created].sort());
    });

    it('refuses a limit outside 1..100 and a malformed cursor with 400', async () => {
      const [owner] = await createUsers(t, 1);
      for (const query of ['limit=0', 'limit=101', 'cursor=not-a-cursor', 'archived=maybe']) {
        const res = await call(t, owner, { method: 'get', path: `/conversations?${query}` });
        expectError(res, 400, 'VALIDATION_FAILED');
      }
    });

    it('counts lastSeq, lastVersion and unreadCount through sends, reads, reactions and edits', async () => {
      const [a, b] = await createUsers(t, 2);
      const conversation = await c.direct(a, b);
      const first = await c.send(a, conversation.id, 'first');
      await c.send(a, conversation.id, 'second');
      const third = await c.send(a, conversation.id, 'third');
      expect(await c.get(b, conversation.id)).toMatchObject({
        lastSeq: 3,
        lastVersion: 3,
        unreadCount: 3,
        lastMessage: { id: third.id },
      });
      expect((await c.get(a, conversation.id)).unreadCount).toBe(0);

      await post(b, `/conversations/${conversation.id}/read`, { upToSeq: 2 }).expect(200);
      expect((await c.get(b, conversation.id)).unreadCount).toBe(1);

      await call(t, b, {
        method: 'put',
        path: `/conversations/${conversation.id}/messages/${third.id}/reactions/${encodeURIComponent('👍')}`,
      }).expect(200);
      expect(await c.get(b, conversation.id)).toMatchObject({ lastSeq: 3, lastVersion: 4 });

      await call(t, a, {
        method: 'patch',
        path: `/conversations/${conversation.id}/messages/${first.id}`,
        body: { content: 'first, edited' },
      }).expect(200);
      expect(await c.get(b, conversation.id)).toMatchObject({
        lastSeq: 3,
        lastVersion: 5,
        unreadCount: 1,
      });
    });

    it('answers 400 to a malformed conversation id and 404 to an unknown one', async () => {
      const [a] = await createUsers(t, 1);
      expectError(
        await call(t, a, { method: 'get', path: '/conversations/not-a-uuid' }),
        400,
        'VALIDATION_FAILED',
      );
      expectError(
        await call(t, a, { method: 'get', path: `/conversations/${randomUUID()}` }),
        404,
        'NOT_FOUND',
      );
    });
  });
});
