import { randomUUID } from 'node:crypto';
import { chat } from './support/chat';
import { TestUser } from './support/factories';
import {
  call,
  CONVERSATION_ROUTES,
  createJoiningUsers,
  createUsers,
  expectError,
  listedIds,
  MatrixIds,
  MatrixRoute,
  MESSAGE_ROUTES,
} from './support/matrix';
import { startTestApp, TestApp } from './support/test-app';

/**
 * API.md, General rules: a conversation or message that exists but is not yours answers
 * `404 NOT_FOUND`, the same as one that does not exist, writes included. Every route on one
 * conversation is called by people who may not see it; afterwards a member checks that nothing
 * changed. The tests of this file run in order: the last one checks what the others tried.
 */
describe('privacy', () => {
  let t: TestApp;
  let c: ReturnType<typeof chat>;
  let owner: TestUser;
  let member: TestUser;
  let removed: TestUser;
  let outsider: TestUser;
  let invitee: TestUser;
  let bystander: TestUser;
  let group: { conversationId: string; messageId: string };
  let direct: { conversationId: string; messageId: string };

  beforeAll(async () => {
    t = await startTestApp();
    c = chat(t);
    [owner, outsider, invitee, bystander] = await createUsers(t, 4);
    [member, removed] = await createJoiningUsers(t, 2);

    const groupId = (await c.group(owner, [member, removed, invitee], 'Private')).id;
    const secret = await c.send(owner, groupId, 'the secret plan');
    await c.send(member, groupId, 'a reply', { replyToMessageId: secret.id });
    await call(t, member, {
      method: 'put',
      path: `/conversations/${groupId}/messages/${secret.id}/reactions/${encodeURIComponent('🎉')}`,
    }).expect(200);
    await call(t, owner, {
      method: 'delete',
      path: `/conversations/${groupId}/participants/${removed.id}`,
    }).expect(204);
    group = { conversationId: groupId, messageId: secret.id };

    const directId = (await c.direct(owner, member)).id;
    const whisper = await c.send(owner, directId, 'just between us');
    direct = { conversationId: directId, messageId: whisper.id };
  });
  afterAll(() => t.close());

  /** What a member sees of a conversation and its message, and of their own state in it. */
  const snapshot = async (target: { conversationId: string; messageId: string }) => {
    const conversation = await c.get(member, target.conversationId);
    const message = await call(t, member, {
      method: 'get',
      path: `/conversations/${target.conversationId}/messages/${target.messageId}`,
    }).expect(200);
    return {
      title: conversation.title,
      lastSeq: conversation.lastSeq,
      lastVersion: conversation.lastVersion,
      participants: (
        conversation.participants as { userId: string; role: string; status: string }[]
      ).map((p) => ({ userId: p.userId, role: p.role, status: p.status })),
      allowFileSharing: conversation.allowFileSharing,
      history: (await c.history(member, target.conversationId)).map((m) => [m.id, m.version]),
      message: {
        content: message.body.content,
        version: message.body.version,
        reactions: message.body.reactions,
        isDeleted: message.body.isDeleted,
        replyCount: message.body.replyCount,
      },
    };
  };
  let before: Record<'group' | 'direct', Awaited<ReturnType<typeof snapshot>>>;

  beforeAll(async () => {
    before = { group: await snapshot(group), direct: await snapshot(direct) };
  });

  const idsFor = (
    caller: TestUser,
    target: { conversationId: string; messageId: string },
  ): MatrixIds => ({
    ...target,
    memberId: member.id,
    strangerId: bystander.id,
    selfId: caller.id,
  });

  const scenarios = [
    {
      label: 'an outsider of a group',
      caller: () => outsider,
      target: () => group,
    },
    {
      label: 'an outsider of a direct conversation',
      caller: () => outsider,
      target: () => direct,
    },
    {
      label: 'a member removed from a group',
      caller: () => removed,
      target: () => group,
    },
  ];

  describe.each(scenarios)('to $label', ({ caller, target }) => {
    it.each(CONVERSATION_ROUTES)(
      '$name answers 404 NOT_FOUND, exactly as for a conversation that does not exist',
      async (route: MatrixRoute) => {
        const user = caller();
        const res = await call(t, user, route.build(idsFor(user, target())));
        expectError(res, 404, 'NOT_FOUND');
        const unknown = await call(
          t,
          user,
          route.build(idsFor(user, { conversationId: randomUUID(), messageId: randomUUID() })),
        );
        expect(res.body).toEqual(unknown.body);
      },
    );
  });

  describe('to an invited user who has not accepted', () => {
    it.each(MESSAGE_ROUTES)('$name answers 404 NOT_FOUND', async (route: MatrixRoute) => {
      const res = await call(t, invitee, route.build(idsFor(invitee, group)));
      expectError(res, 404, 'NOT_FOUND');
    });

    it('still shows the conversation itself as a pending invitation', async () => {
      const view = await c.get(invitee, group.conversationId);
      expect(view).toMatchObject({
        title: 'Private',
        invitation: 'pending',
        lastMessage: null,
        unreadCount: 0,
      });
    });
  });

  describe('afterwards', () => {
    it("removes the conversation from a removed member's list", async () => {
      expect(await listedIds(t, removed)).not.toContain(group.conversationId);
      expect(await listedIds(t, removed, 'archived=true')).not.toContain(group.conversationId);
      expect(await listedIds(t, outsider)).toEqual([]);
    });

    it('leaves every conversation and message as it was after all the refused calls', async () => {
      expect(await snapshot(group)).toEqual(before.group);
      expect(await snapshot(direct)).toEqual(before.direct);
    });
  });
});
