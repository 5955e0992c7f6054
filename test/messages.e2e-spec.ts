import { randomUUID } from 'node:crypto';
import { chat } from './support/chat';
import { TestUser } from './support/factories';
import {
  block,
  call,
  createJoiningUsers,
  createUsers,
  expectError,
  listedIds,
} from './support/matrix';
import { startTestApp, TestApp } from './support/test-app';

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const THUMBS_UP = '👍';

interface Reaction {
  emoji: string;
  count: number;
  reactedByMe: boolean;
}

describe('messages', () => {
  let t: TestApp;
  let c: ReturnType<typeof chat>;
  let a: TestUser;
  let b: TestUser;
  let d: TestUser;
  /** a and b */
  let direct: string;
  /** a (admin), b and d, all active */
  let group: string;

  beforeAll(async () => {
    t = await startTestApp();
    c = chat(t);
    [a, b, d] = await createJoiningUsers(t, 3);
    direct = (await c.direct(a, b)).id;
    group = (await c.group(a, [b, d], 'Crew')).id;
  });
  afterAll(() => t.close());

  const messages = (conversationId: string) => `/conversations/${conversationId}/messages`;
  const send = (user: TestUser, conversationId: string, body: object) =>
    call(t, user, { method: 'post', path: messages(conversationId), body });
  const getMessage = (user: TestUser, conversationId: string, messageId: string) =>
    call(t, user, { method: 'get', path: `${messages(conversationId)}/${messageId}` });
  const seeMessage = async (user: TestUser, conversationId: string, messageId: string) =>
    (await getMessage(user, conversationId, messageId).expect(200)).body;
  const edit = (user: TestUser, conversationId: string, messageId: string, content: string) =>
    call(t, user, {
      method: 'patch',
      path: `${messages(conversationId)}/${messageId}`,
      body: { content },
    });
  const remove = (user: TestUser, conversationId: string, messageId: string) =>
    call(t, user, { method: 'delete', path: `${messages(conversationId)}/${messageId}` });
  const reaction = (
    method: 'put' | 'delete',
    user: TestUser,
    conversationId: string,
    messageId: string,
    emoji: string,
  ) =>
    call(t, user, {
      method,
      path: `${messages(conversationId)}/${messageId}/reactions/${encodeURIComponent(emoji)}`,
    });
  const read = (user: TestUser, conversationId: string, upToSeq: number) =>
    call(t, user, {
      method: 'post',
      path: `/conversations/${conversationId}/read`,
      body: { upToSeq },
    });
  const lastSeq = async (conversationId: string) => (await c.get(a, conversationId)).lastSeq;
  /** A direct conversation of its own for a test, so counts start from zero. */
  const freshDirect = async (x: TestUser, y: TestUser) =>
    (await c.direct(x, y, `t-${randomUUID()}`)).id;

  describe('sending', () => {
    it('answers 201 with the message, its content trimmed', async () => {
      const before = await lastSeq(direct);
      const res = await send(a, direct, { content: '  hello there \n' }).expect(201);
      expect(res.body).toMatchObject({
        id: expect.any(String),
        conversationId: direct,
        seq: before + 1,
        senderId: a.id,
        sender: { id: a.id, displayName: a.displayName },
        type: 'text',
        content: 'hello there',
        clientMessageId: null,
        replyToMessageId: null,
        threadRootId: null,
        replyCount: 0,
        attachments: [],
        reactions: [],
        isEdited: false,
        editedAt: null,
        isDeleted: false,
        deletedAt: null,
        moderation: 'clean',
        createdAt: expect.stringMatching(ISO_MS),
      });
      expect((await seeMessage(b, direct, res.body.id)).content).toBe('hello there');
    });

    it('refuses empty, whitespace-only, missing and 4001-character content with 400, storing nothing', async () => {
      const before = await c.history(a, direct);
      for (const body of [
        { content: '' },
        { content: ' \n\t  ' },
        { content: 'x'.repeat(4001) },
        {},
      ]) {
        const res = await send(a, direct, body);
        expectError(res, 400, 'VALIDATION_FAILED');
        expect(res.body.details).toHaveProperty('content');
      }
      expect(await c.history(a, direct)).toEqual(before);
    });

    it('accepts exactly 4000 characters after trimming', async () => {
      const content = 'y'.repeat(4000);
      const res = await send(a, direct, { content: `  ${content}  ` }).expect(201);
      expect(res.body.content).toBe(content);
    });

    it('detects Arabic text as ar, right to left', async () => {
      const res = await send(a, direct, { content: 'مرحبا بكم في الفريق' }).expect(201);
      expect(res.body).toMatchObject({ language: 'ar', direction: 'rtl' });
    });

    it('detects English text as en, left to right', async () => {
      const res = await send(a, direct, { content: 'Good morning, team' }).expect(201);
      expect(res.body).toMatchObject({ language: 'en', direction: 'ltr' });
    });

    it('keeps the language the client gives', async () => {
      const res = await send(a, direct, { content: 'Bonjour à tous', language: 'fr' }).expect(201);
      expect(res.body).toMatchObject({ language: 'fr', direction: 'ltr' });
    });

    it('takes the direction from the first letter and the language from the majority of letters', async () => {
      const res = await send(a, direct, { content: '2 hello مرحبا بكم جميعا' }).expect(201);
      expect(res.body).toMatchObject({ language: 'ar', direction: 'ltr' });
    });

    it('refuses unknown fields with 400 naming them', async () => {
      const before = await lastSeq(direct);
      const res = await send(a, direct, { content: 'hello', priority: 'high' });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(Object.keys(res.body.details as object)).toEqual(['priority']);
      expect(await lastSeq(direct)).toBe(before);
    });

    it('refuses a malformed language code with 400', async () => {
      const before = await lastSeq(direct);
      const res = await send(a, direct, { content: 'hello', language: 'english' });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toHaveProperty('language');
      expect(await lastSeq(direct)).toBe(before);
    });
  });

  describe('clientMessageId', () => {
    it('returns the first message with 200 when the same sender repeats a clientMessageId', async () => {
      const clientMessageId = randomUUID();
      const first = await send(a, direct, { content: 'first try', clientMessageId }).expect(201);
      const before = await lastSeq(direct);
      const again = await send(a, direct, { content: 'second try', clientMessageId }).expect(200);
      expect(again.body).toMatchObject({
        id: first.body.id,
        seq: first.body.seq,
        content: 'first try',
        clientMessageId,
      });
      expect(await lastSeq(direct)).toBe(before);
    });

    it('stores a new message when another sender uses the same clientMessageId', async () => {
      const clientMessageId = randomUUID();
      const mine = await send(a, direct, { content: 'from a', clientMessageId }).expect(201);
      const theirs = await send(b, direct, { content: 'from b', clientMessageId }).expect(201);
      expect(theirs.body.id).not.toBe(mine.body.id);
      expect(theirs.body).toMatchObject({ senderId: b.id, content: 'from b', clientMessageId });
    });

    it('stores exactly one message for 10 concurrent sends with one clientMessageId', async () => {
      const clientMessageId = randomUUID();
      const before = await lastSeq(group);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          send(a, group, { content: `attempt ${i}`, clientMessageId }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([...Array(9).fill(200), 201]);
      expect(new Set(results.map((r) => r.body.id as string)).size).toBe(1);
      expect(await lastSeq(group)).toBe(before + 1);
    });
  });

  describe('history', () => {
    let conversation: string;

    beforeAll(async () => {
      conversation = await freshDirect(a, d);
      for (let i = 1; i <= 10; i++) await c.send(i % 2 ? a : d, conversation, `message ${i}`);
    });

    const page = (query: string) =>
      call(t, a, { method: 'get', path: `${messages(conversation)}?${query}` });
    const seqs = (body: { items: { seq: number }[] }) => body.items.map((m) => m.seq);

    it('lists the newest first, below beforeSeq when given', async () => {
      const all = await page('').expect(200);
      expect(seqs(all.body)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
      expect(all.body.nextCursor).toBeNull();
      const below = await page('beforeSeq=6&limit=3').expect(200);
      expect(seqs(below.body)).toEqual([5, 4, 3]);
      expect(below.body.nextCursor).toBeNull();
    });

    it('lists the oldest first above afterSeq', async () => {
      expect(seqs((await page('afterSeq=0&limit=3').expect(200)).body)).toEqual([1, 2, 3]);
      expect(seqs((await page('afterSeq=3&limit=3').expect(200)).body)).toEqual([4, 5, 6]);
      expect(seqs((await page('afterSeq=10').expect(200)).body)).toEqual([]);
    });

    it('refuses beforeSeq with afterSeq, a negative seq and a limit outside 1..100 with 400', async () => {
      for (const query of [
        'beforeSeq=5&afterSeq=1',
        'beforeSeq=-1',
        'afterSeq=-1',
        'limit=0',
        'limit=101',
      ]) {
        expectError(await page(query), 400, 'VALIDATION_FAILED');
      }
    });
  });

  describe('replies and threads', () => {
    /** A root in the group, a reply to it, and a reply to that reply. */
    const thread = async () => {
      const root = await c.send(a, group, 'root of a thread');
      const first = await c.send(b, group, 'first reply', { replyToMessageId: root.id });
      const second = await c.send(d, group, 'reply to the reply', { replyToMessageId: first.id });
      return { root, first, second };
    };
    const repliesOf = async (messageId: string) =>
      (
        await call(t, a, {
          method: 'get',
          path: `${messages(group)}/${messageId}/replies`,
        }).expect(200)
      ).body;

    it('gives every reply of a chain the root as threadRootId, and counts them on the root', async () => {
      const { root, first, second } = await thread();
      expect(first).toMatchObject({ replyToMessageId: root.id, threadRootId: root.id });
      expect(second).toMatchObject({ replyToMessageId: first.id, threadRootId: root.id });
      expect(await seeMessage(d, group, root.id)).toMatchObject({
        threadRootId: null,
        replyCount: 2,
      });
    });

    it('lists the thread oldest first, also when asked on a reply', async () => {
      const { root, first, second } = await thread();
      const fromRoot = await repliesOf(root.id);
      expect(fromRoot.items.map((m: { id: string }) => m.id)).toEqual([first.id, second.id]);
      expect(fromRoot.nextCursor).toBeNull();
      const fromReply = await repliesOf(second.id);
      expect(fromReply.items.map((m: { id: string }) => m.id)).toEqual([first.id, second.id]);
    });

    it('pages a thread with the cursor without skipping or repeating while replies are added', async () => {
      const { root, first, second } = await thread();
      const third = await c.send(b, group, 'third reply', { replyToMessageId: root.id });
      const page = (query: string) =>
        call(t, a, { method: 'get', path: `${messages(group)}/${root.id}/replies?${query}` });
      const one = await page('limit=2').expect(200);
      expect(one.body.items.map((m: { id: string }) => m.id)).toEqual([first.id, second.id]);
      expect(one.body.nextCursor).toEqual(expect.any(String));
      const fourth = await c.send(d, group, 'fourth reply', { replyToMessageId: second.id });
      const two = await page(`limit=2&cursor=${encodeURIComponent(one.body.nextCursor)}`).expect(
        200,
      );
      expect(two.body.items.map((m: { id: string }) => m.id)).toEqual([third.id, fourth.id]);
      expect(two.body.nextCursor).toBeNull();
    });

    it('drops a deleted reply from replyCount and keeps it in the thread as a tombstone', async () => {
      const { root, first, second } = await thread();
      await remove(d, group, second.id).expect(204);
      expect((await seeMessage(b, group, root.id)).replyCount).toBe(1);
      const replies = await repliesOf(root.id);
      expect(
        replies.items.map((m: { id: string; isDeleted: boolean }) => [m.id, m.isDeleted]),
      ).toEqual([
        [first.id, false],
        [second.id, true],
      ]);
    });

    it('refuses a reply to a message of another conversation or an unknown id with 422 INVALID_REPLY', async () => {
      const elsewhere = await c.send(a, direct, 'in the direct conversation');
      const before = await lastSeq(group);
      for (const replyToMessageId of [elsewhere.id, randomUUID()]) {
        const res = await send(a, group, { content: 'a reply', replyToMessageId });
        expectError(res, 422, 'INVALID_REPLY');
      }
      expect(await lastSeq(group)).toBe(before);
    });

    it('answers 404 to a reply to a deleted message', async () => {
      const gone = await c.send(b, group, 'soon gone');
      await remove(b, group, gone.id).expect(204);
      const before = await lastSeq(group);
      const res = await send(a, group, { content: 'too late', replyToMessageId: gone.id });
      expectError(res, 404, 'NOT_FOUND');
      expect(await lastSeq(group)).toBe(before);
    });
  });

  describe('editing', () => {
    it('lets the sender edit, marking the message edited', async () => {
      const original = await c.send(b, group, 'draft');
      const res = await edit(b, group, original.id, '  final  ').expect(200);
      expect(res.body).toMatchObject({
        id: original.id,
        content: 'final',
        isEdited: true,
        editedAt: expect.stringMatching(ISO_MS),
      });
      expect(res.body.version).toBeGreaterThan(original.version);
      expect(await seeMessage(d, group, original.id)).toMatchObject({
        content: 'final',
        isEdited: true,
      });
    });

    it('refuses an edit by anyone but the sender with 403 NOT_MESSAGE_SENDER, the group admin included', async () => {
      const original = await c.send(b, group, 'mine to change');
      expectError(await edit(d, group, original.id, 'hijacked'), 403, 'NOT_MESSAGE_SENDER');
      expectError(await edit(a, group, original.id, 'hijacked'), 403, 'NOT_MESSAGE_SENDER');
      expect(await seeMessage(b, group, original.id)).toMatchObject({
        content: 'mine to change',
        isEdited: false,
      });
    });

    it('answers 404 to an edit of a deleted message', async () => {
      const gone = await c.send(b, group, 'soon gone');
      await remove(b, group, gone.id).expect(204);
      expectError(await edit(b, group, gone.id, 'revived'), 404, 'NOT_FOUND');
      expect(await seeMessage(b, group, gone.id)).toMatchObject({ content: '', isDeleted: true });
    });
  });

  describe('deleting', () => {
    it('turns a message its sender deletes into a tombstone without content or reactions, still readable', async () => {
      const message = await c.send(a, group, 'regrettable');
      await reaction('put', b, group, message.id, THUMBS_UP).expect(200);
      await remove(a, group, message.id).expect(204);
      expect(await seeMessage(b, group, message.id)).toMatchObject({
        id: message.id,
        content: '',
        isDeleted: true,
        deletedAt: expect.stringMatching(ISO_MS),
        reactions: [],
        attachments: [],
      });
      const history = await c.history(d, group);
      expect(history.find((m) => m.id === message.id)).toMatchObject({
        isDeleted: true,
        content: '',
      });
    });

    it("lets a group admin delete a member's message", async () => {
      const message = await c.send(b, group, 'off topic');
      await remove(a, group, message.id).expect(204);
      expect((await seeMessage(b, group, message.id)).isDeleted).toBe(true);
    });

    it("refuses a member deleting another's message with 403 NOT_MESSAGE_SENDER", async () => {
      const byAdmin = await c.send(a, group, 'from the admin');
      const byMember = await c.send(d, group, 'from a member');
      const inDirect = await c.send(a, direct, 'from a, directly');
      expectError(await remove(b, group, byAdmin.id), 403, 'NOT_MESSAGE_SENDER');
      expectError(await remove(b, group, byMember.id), 403, 'NOT_MESSAGE_SENDER');
      expectError(await remove(b, direct, inDirect.id), 403, 'NOT_MESSAGE_SENDER');
      for (const [conversationId, id] of [
        [group, byAdmin.id],
        [group, byMember.id],
        [direct, inDirect.id],
      ]) {
        expect((await seeMessage(a, conversationId, id)).isDeleted).toBe(false);
      }
    });
  });

  describe('reactions', () => {
    const reactionsSeenBy = async (user: TestUser, messageId: string) =>
      (await seeMessage(user, group, messageId)).reactions as Reaction[];

    it('adds a reaction idempotently, counted per emoji with reactedByMe for each viewer', async () => {
      const message = await c.send(d, group, 'react to me');
      const once = await reaction('put', a, group, message.id, THUMBS_UP).expect(200);
      expect(once.body.reactions).toEqual([{ emoji: THUMBS_UP, count: 1, reactedByMe: true }]);
      const twice = await reaction('put', a, group, message.id, THUMBS_UP).expect(200);
      expect(twice.body.reactions).toEqual([{ emoji: THUMBS_UP, count: 1, reactedByMe: true }]);
      const byB = await reaction('put', b, group, message.id, THUMBS_UP).expect(200);
      expect(byB.body.reactions).toEqual([{ emoji: THUMBS_UP, count: 2, reactedByMe: true }]);
      expect(await reactionsSeenBy(d, message.id)).toEqual([
        { emoji: THUMBS_UP, count: 2, reactedByMe: false },
      ]);
    });

    it('changes no version when a reaction is put again', async () => {
      const message = await c.send(d, group, 'react twice');
      const once = await reaction('put', a, group, message.id, THUMBS_UP).expect(200);
      const lastVersion = (await c.get(a, group)).lastVersion;
      expect(lastVersion).toBe(once.body.version);
      const twice = await reaction('put', a, group, message.id, THUMBS_UP).expect(200);
      expect(twice.body.version).toBe(once.body.version);
      expect((await c.get(a, group)).lastVersion).toBe(lastVersion);
    });

    it('changes no version when a reaction that is not there is removed', async () => {
      const message = await c.send(d, group, 'nothing to remove');
      const lastVersion = (await c.get(a, group)).lastVersion;
      const res = await reaction('delete', a, group, message.id, THUMBS_UP).expect(200);
      expect(res.body).toMatchObject({ version: message.version, reactions: [] });
      expect((await c.get(a, group)).lastVersion).toBe(lastVersion);
    });

    it("removes the caller's reaction with DELETE", async () => {
      const message = await c.send(d, group, 'changing minds');
      await reaction('put', a, group, message.id, THUMBS_UP).expect(200);
      await reaction('put', b, group, message.id, THUMBS_UP).expect(200);
      const res = await reaction('delete', a, group, message.id, THUMBS_UP).expect(200);
      expect(res.body.reactions).toEqual([{ emoji: THUMBS_UP, count: 1, reactedByMe: false }]);
      expect(await reactionsSeenBy(b, message.id)).toEqual([
        { emoji: THUMBS_UP, count: 1, reactedByMe: true },
      ]);
    });

    it('accepts a skin-toned thumb and a ZWJ family as one emoji each', async () => {
      const message = await c.send(d, group, 'all kinds');
      const toned = '👍🏽';
      const family = '👨‍👩‍👧';
      await reaction('put', a, group, message.id, toned).expect(200);
      const res = await reaction('put', a, group, message.id, family).expect(200);
      expect(res.body.reactions).toEqual([
        { emoji: toned, count: 1, reactedByMe: true },
        { emoji: family, count: 1, reactedByMe: true },
      ]);
    });

    it('refuses a letter or two emojis with 400', async () => {
      const message = await c.send(d, group, 'not an emoji');
      for (const emoji of ['a', '👍👍']) {
        expectError(await reaction('put', a, group, message.id, emoji), 400, 'VALIDATION_FAILED');
      }
      expect(await reactionsSeenBy(a, message.id)).toEqual([]);
    });
  });

  describe('receipts and reading', () => {
    it('lists a receipt for every participant but the sender, with readAt once they read', async () => {
      const message = await c.send(a, group, 'did you read this?');
      const receipts = async () => {
        const res = await call(t, a, {
          method: 'get',
          path: `${messages(group)}/${message.id}/receipts`,
        }).expect(200);
        const items = res.body.items as { userId: string; deliveredAt: unknown; readAt: unknown }[];
        return Object.fromEntries(items.map((r) => [r.userId, r]));
      };
      const before = await receipts();
      expect(Object.keys(before).sort()).toEqual([b.id, d.id].sort());
      expect(before[b.id]).toMatchObject({ readAt: null });
      expect(before[d.id]).toMatchObject({ readAt: null });

      await read(b, group, message.seq).expect(200);
      const after = await receipts();
      expect(after[b.id]).toEqual({
        userId: b.id,
        deliveredAt: expect.stringMatching(ISO_MS),
        readAt: expect.stringMatching(ISO_MS),
      });
      expect(after[d.id]).toMatchObject({ readAt: null });
    });

    it('leaves invited users out of receipts', async () => {
      const [invitee] = await createUsers(t, 1);
      const conversation = (await c.group(a, [b, invitee], 'With an invitee')).id;
      const message = await c.send(a, conversation, 'hello both');
      const res = await call(t, a, {
        method: 'get',
        path: `${messages(conversation)}/${message.id}/receipts`,
      }).expect(200);
      expect(res.body.items.map((r: { userId: string }) => r.userId)).toEqual([b.id]);
    });

    it('never moves the read position backwards', async () => {
      const conversation = await freshDirect(a, b);
      for (const text of ['one', 'two', 'three']) await c.send(a, conversation, text);
      expect((await read(b, conversation, 2).expect(200)).body).toEqual({ lastReadSeq: 2 });
      expect((await read(b, conversation, 1).expect(200)).body).toEqual({ lastReadSeq: 2 });
      expect((await c.get(b, conversation)).unreadCount).toBe(1);
    });

    it('caps the read position at lastSeq', async () => {
      const conversation = await freshDirect(a, b);
      for (const text of ['one', 'two']) await c.send(a, conversation, text);
      expect((await read(b, conversation, 999).expect(200)).body).toEqual({ lastReadSeq: 2 });
      await c.send(a, conversation, 'three');
      expect((await c.get(b, conversation)).unreadCount).toBe(1);
    });
  });

  describe('unread counts', () => {
    it("never counts the caller's own messages", async () => {
      const conversation = await freshDirect(a, b);
      await c.send(a, conversation, 'one');
      await c.send(a, conversation, 'two');
      expect((await c.get(a, conversation)).unreadCount).toBe(0);
      expect((await c.get(b, conversation)).unreadCount).toBe(2);
    });

    it('counts system messages', async () => {
      const [member] = await createJoiningUsers(t, 1);
      const conversation = (await c.group(a, [member], 'Counted')).id;
      expect((await c.get(member, conversation)).unreadCount).toBe(1);
      expect((await c.get(a, conversation)).unreadCount).toBe(0);
    });

    it('drops to zero when the conversation is deleted for me', async () => {
      const conversation = await freshDirect(a, b);
      await c.send(a, conversation, 'one');
      await c.send(a, conversation, 'two');
      await call(t, b, { method: 'delete', path: `/conversations/${conversation}` }).expect(204);
      expect((await c.get(b, conversation)).unreadCount).toBe(0);
    });
  });

  describe('reports', () => {
    const report = (user: TestUser, messageId: string, body: object) =>
      call(t, user, { method: 'post', path: `${messages(group)}/${messageId}/report`, body });

    it('accepts a report with 202', async () => {
      const message = await c.send(a, group, 'questionable');
      await report(b, message.id, { reason: 'spam' }).expect(202);
    });

    it('refuses a report without a reason with 400', async () => {
      const message = await c.send(a, group, 'questionable');
      for (const body of [{}, { reason: '   ' }]) {
        const res = await report(b, message.id, body);
        expectError(res, 400, 'VALIDATION_FAILED');
        expect(res.body.details).toHaveProperty('reason');
      }
    });

    it('answers 404 to a report of a deleted message', async () => {
      const message = await c.send(a, group, 'already gone');
      await remove(a, group, message.id).expect(204);
      expectError(await report(b, message.id, { reason: 'spam' }), 404, 'NOT_FOUND');
    });
  });

  describe('the changes feed', () => {
    let conversation: string;
    let ids: { edited: string; deleted: string; reacted: string };

    beforeAll(async () => {
      conversation = await freshDirect(a, d);
      const edited = await c.send(a, conversation, 'first text');
      const deleted = await c.send(d, conversation, 'to be deleted');
      const reacted = await c.send(a, conversation, 'to be reacted to');
      await edit(a, conversation, edited.id, 'second text').expect(200);
      await edit(a, conversation, edited.id, 'third text').expect(200);
      await remove(d, conversation, deleted.id).expect(204);
      await reaction('put', d, conversation, reacted.id, THUMBS_UP).expect(200);
      ids = { edited: edited.id, deleted: deleted.id, reacted: reacted.id };
    });

    const changes = (query: string) =>
      call(t, a, { method: 'get', path: `/conversations/${conversation}/changes?${query}` });

    it('lists every message once by version, at its latest version, tombstones included', async () => {
      const res = await changes('sinceVersion=0').expect(200);
      const items = res.body.items as { id: string; version: number }[];
      expect(items.map((m) => m.id)).toEqual([ids.edited, ids.deleted, ids.reacted]);
      expect(items[0]).toMatchObject({ content: 'third text', isEdited: true });
      expect(items[1]).toMatchObject({ content: '', isDeleted: true });
      expect(items[2]).toMatchObject({
        reactions: [{ emoji: THUMBS_UP, count: 1, reactedByMe: false }],
      });
      const versions = items.map((m) => m.version);
      expect([...versions].sort((x, y) => x - y)).toEqual(versions);
      expect(new Set(versions).size).toBe(versions.length);
      expect(versions[versions.length - 1]).toBe((await c.get(a, conversation)).lastVersion);
      expect(res.body.nextCursor).toBeNull();
    });

    it('lists only the changes after sinceVersion', async () => {
      const all = (await changes('sinceVersion=0').expect(200)).body.items as {
        id: string;
        version: number;
      }[];
      const res = await changes(`sinceVersion=${all[0].version}`).expect(200);
      expect(res.body.items.map((m: { id: string }) => m.id)).toEqual([ids.deleted, ids.reacted]);
    });

    it('pages with the cursor until nextCursor is null', async () => {
      const seen: string[] = [];
      let res = await changes('sinceVersion=0&limit=1').expect(200);
      for (let page = 0; page < 10; page++) {
        expect(res.body.items.length).toBeLessThanOrEqual(1);
        seen.push(...res.body.items.map((m: { id: string }) => m.id));
        if (res.body.nextCursor === null) break;
        expect(res.body.nextCursor).toEqual(expect.any(String));
        res = await changes(`limit=1&cursor=${encodeURIComponent(res.body.nextCursor)}`).expect(
          200,
        );
      }
      expect(res.body.nextCursor).toBeNull();
      expect(seen).toEqual([ids.edited, ids.deleted, ids.reacted]);
    });

    it('refuses sinceVersion together with a cursor, and a garbage cursor, with 400', async () => {
      const first = await changes('sinceVersion=0&limit=1').expect(200);
      const cursor = encodeURIComponent(first.body.nextCursor);
      expectError(await changes(`sinceVersion=0&cursor=${cursor}`), 400, 'VALIDATION_FAILED');
      expectError(await changes('cursor=garbage'), 400, 'VALIDATION_FAILED');
      expectError(await changes('sinceVersion=-1'), 400, 'VALIDATION_FAILED');
    });
  });

  describe('POST /messages', () => {
    const shortcut = (user: TestUser, body: object) =>
      call(t, user, { method: 'post', path: '/messages', body });

    it('creates the direct conversation with the recipient on first use and reuses it after', async () => {
      const [sender, recipient] = await createUsers(t, 2);
      const first = await shortcut(sender, { recipientId: recipient.id, content: 'hi' }).expect(
        201,
      );
      const second = await shortcut(sender, {
        recipientId: recipient.id,
        content: 'again',
      }).expect(201);
      expect(second.body.conversationId).toBe(first.body.conversationId);
      expect([first.body.seq, second.body.seq]).toEqual([1, 2]);
      const conversation = await c.get(recipient, first.body.conversationId);
      expect(conversation).toMatchObject({ type: 'direct', contextId: null, unreadCount: 2 });
      expect(await listedIds(t, sender)).toEqual([first.body.conversationId]);
    });

    it('returns the first message with 200 when the clientMessageId repeats', async () => {
      const [sender, recipient] = await createUsers(t, 2);
      const clientMessageId = randomUUID();
      const body = { recipientId: recipient.id, content: 'once', clientMessageId };
      const first = await shortcut(sender, body).expect(201);
      const again = await shortcut(sender, { ...body, content: 'twice' }).expect(200);
      expect(again.body).toMatchObject({ id: first.body.id, content: 'once' });
      expect((await c.get(sender, first.body.conversationId)).lastSeq).toBe(1);
    });

    it('keeps one direct conversation per contextId', async () => {
      const [sender, recipient] = await createUsers(t, 2);
      const plain = await shortcut(sender, { recipientId: recipient.id, content: 'hi' }).expect(
        201,
      );
      const job = await shortcut(sender, {
        recipientId: recipient.id,
        content: 'about the job',
        contextId: 'job:42',
      }).expect(201);
      const jobAgain = await shortcut(sender, {
        recipientId: recipient.id,
        content: 'more about the job',
        contextId: 'job:42',
      }).expect(201);
      expect(job.body.conversationId).not.toBe(plain.body.conversationId);
      expect(jobAgain.body.conversationId).toBe(job.body.conversationId);
      expect((await c.get(recipient, job.body.conversationId)).contextId).toBe('job:42');
    });

    it('refuses a blocked recipient with 403 BLOCKED, for a new or an existing conversation', async () => {
      const [sender, recipient, other] = await createUsers(t, 3);
      await block(t, recipient, sender);
      expectError(
        await shortcut(sender, { recipientId: recipient.id, content: 'hi' }),
        403,
        'BLOCKED',
      );
      expect(await listedIds(t, sender)).toEqual([]);

      const existing = await shortcut(sender, { recipientId: other.id, content: 'hi' }).expect(201);
      await block(t, sender, other);
      expectError(await shortcut(sender, { recipientId: other.id, content: 'hi' }), 403, 'BLOCKED');
      expect((await c.get(other, existing.body.conversationId)).lastSeq).toBe(1);
    });
  });

  describe('attachments', () => {
    it('refuses an attachment id that does not exist with 422 INVALID_ATTACHMENT, storing nothing', async () => {
      const before = await lastSeq(direct);
      const res = await send(a, direct, { content: 'see file', attachmentIds: [randomUUID()] });
      expectError(res, 422, 'INVALID_ATTACHMENT');
      expect(await lastSeq(direct)).toBe(before);
    });

    it('refuses attachments where file sharing is off with 403 FILE_SHARING_DISABLED', async () => {
      const created = await call(t, a, {
        method: 'post',
        path: '/conversations',
        body: {
          type: 'direct',
          participantIds: [b.id],
          contextId: 'no-files',
          allowFileSharing: false,
        },
      }).expect(201);
      expect(created.body.allowFileSharing).toBe(false);
      const res = await send(a, created.body.id, {
        content: 'see file',
        attachmentIds: [randomUUID()],
      });
      expectError(res, 403, 'FILE_SHARING_DISABLED');
      expect(await lastSeq(created.body.id)).toBe(0);
    });
  });
});

describe('messages under RATE_LIMIT_MESSAGES_PER_MINUTE', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_MESSAGES_PER_MINUTE: '5' });
  });
  afterAll(() => t.close());

  it("refuses a user's 6th send within a minute with 429 RATE_LIMITED while another user can still send", async () => {
    const c = chat(t);
    const [x, y] = await createUsers(t, 2);
    const conversation = (await c.direct(x, y)).id;
    const send = (user: TestUser, content: string) =>
      call(t, user, {
        method: 'post',
        path: `/conversations/${conversation}/messages`,
        body: { content },
      });
    for (let i = 1; i <= 5; i++) await send(x, `message ${i}`).expect(201);
    expectError(await send(x, 'one too many'), 429, 'RATE_LIMITED');
    await send(y, 'my turn').expect(201);
    expect((await c.get(y, conversation)).lastSeq).toBe(6);
  });

  it('still answers a repeated clientMessageId with the first message (200) once the limit is reached', async () => {
    const c = chat(t);
    const [x, y] = await createUsers(t, 2);
    const conversation = (await c.direct(x, y)).id;
    const send = (clientMessageId: string, content: string) =>
      call(t, x, {
        method: 'post',
        path: `/conversations/${conversation}/messages`,
        body: { content, clientMessageId },
      });
    const first = await send('k1', 'message 1').expect(201);
    for (let i = 2; i <= 5; i++) await send(`k${i}`, `message ${i}`).expect(201);
    const retry = await send('k1', 'message 1');
    expect({ status: retry.status, id: retry.body.id }).toEqual({ status: 200, id: first.body.id });
    expect((await c.get(y, conversation)).lastSeq).toBe(5);
  });
});
