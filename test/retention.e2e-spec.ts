import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import sharp from 'sharp';
import { DataSource } from 'typeorm';
import { Clock } from '../src/common/clock/clock';
import { SCAN_SQL } from '../src/retention/retention.repository';
import { RetentionSweeper } from '../src/retention/retention.sweeper';
import { chat } from './support/chat';
import { admin, auth, TestUser } from './support/factories';
import { call, createJoiningUsers, expectError } from './support/matrix';
import { expectValidationError } from './support/error-body';
import { connect, waitFor } from './support/sockets';
import { API, startTestApp, TestApp } from './support/test-app';

const DAY = 24 * 60 * 60 * 1000;
const BOUNDARY = '----retention-e2e-boundary';

interface Message {
  id: string;
  seq: number;
  version: number;
  content: string;
  isDeleted: boolean;
  attachments: { id: string; url: string }[];
  reactions: unknown[];
  system: { kind: string; retentionDays?: number | null } | null;
  type: string;
}

/** Client helpers shared by the suites below (one app each, one after the other). */
function helpers(t: TestApp) {
  const c = chat(t);
  const messagesPath = (id: string) => `/conversations/${id}/messages`;
  return {
    c,
    patch: (user: TestUser, id: string, body: object) =>
      call(t, user, { method: 'patch', path: `/conversations/${id}`, body }),
    message: async (user: TestUser, conversationId: string, id: string): Promise<Message> =>
      (
        await call(t, user, {
          method: 'get',
          path: `${messagesPath(conversationId)}/${id}`,
        }).expect(200)
      ).body,
    newest: async (user: TestUser, conversationId: string): Promise<Message> =>
      (
        await call(t, user, {
          method: 'get',
          path: `${messagesPath(conversationId)}?limit=1`,
        }).expect(200)
      ).body.items[0],
    async upload(user: TestUser, filename: string, body: Buffer): Promise<{ id: string }> {
      const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
      const res = await t
        .http()
        .post(`${API}/attachments`)
        .set(auth(user.token))
        .set('Content-Type', `multipart/form-data; boundary=${BOUNDARY}`)
        .send(Buffer.concat([Buffer.from(head), body, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]));
      if (res.status !== 201) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    storedKeys: async (attachmentId: string) =>
      (
        await t.app
          .get(DataSource)
          .query(`SELECT storage_key, thumbnail_key FROM attachments WHERE id = $1`, [attachmentId])
      )[0] as { storage_key: string; thumbnail_key: string | null } | undefined,
  };
}

const png = () =>
  sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 9, g: 90, b: 200 } } })
    .png()
    .toBuffer();

/** The app's clock, moved by the tests instead of waiting for days. */
function fakeClock(t: TestApp) {
  let now = Date.now();
  jest.spyOn(t.app.get(Clock), 'now').mockImplementation(() => new Date(now));
  return {
    advance: (ms: number) => (now += ms),
    /** back to the real time, so "a day from now" is measured from messages sent just now */
    reset: () => (now = Date.now()),
  };
}

describe('retention', () => {
  let t: TestApp;
  let h: ReturnType<typeof helpers>;
  let clock: ReturnType<typeof fakeClock>;
  let sweeper: RetentionSweeper;
  let a: TestUser;
  let b: TestUser;
  let d: TestUser;
  let group: string;
  let direct: string;

  beforeAll(async () => {
    t = await startTestApp();
    h = helpers(t);
    clock = fakeClock(t);
    sweeper = t.app.get(RetentionSweeper);
    [a, b, d] = await createJoiningUsers(t, 3);
    group = (await h.c.group(a, [b, d], 'Retained')).id;
    direct = (await h.c.direct(a, b)).id;
  });
  afterAll(() => t.close());

  describe('PATCH /conversations/:id {retentionDays}', () => {
    it('lets a group admin set it, shows it, and records it with a system message', async () => {
      const res = await h.patch(a, group, { retentionDays: 7 }).expect(200);
      expect(res.body.retentionDays).toBe(7);
      expect((await h.c.get(b, group)).retentionDays).toBe(7);
      const system = await h.newest(b, group);
      expect(system).toMatchObject({
        type: 'system',
        system: { kind: 'retention_changed', actorId: a.id, retentionDays: 7 },
      });
      expect(system.content).toContain('7 days');
      await h.patch(a, group, { retentionDays: null }).expect(200);
      expect((await h.c.get(a, group)).retentionDays).toBeNull();
      expect((await h.newest(a, group)).system).toMatchObject({
        kind: 'retention_changed',
        retentionDays: null,
      });
    });

    it('refuses a group member who is not admin with 403 NOT_GROUP_ADMIN', async () => {
      expectError(await h.patch(b, group, { retentionDays: 30 }), 403, 'NOT_GROUP_ADMIN');
      expect((await h.c.get(a, group)).retentionDays).toBeNull();
    });

    it('lets either side of a direct conversation set it, with no system message', async () => {
      const before = await h.c.get(a, direct);
      expect((await h.patch(b, direct, { retentionDays: 30 }).expect(200)).body.retentionDays).toBe(
        30,
      );
      expect((await h.patch(a, direct, { retentionDays: 90 }).expect(200)).body.retentionDays).toBe(
        90,
      );
      expect((await h.c.get(b, direct)).lastSeq).toBe(before.lastSeq);
      expectError(await h.patch(a, direct, { title: 'no' }), 403, 'NOT_GROUP_ADMIN');
      await h.patch(a, direct, { retentionDays: null }).expect(200);
    });

    it.each([0, 3651, 1.5, '7'])(
      'refuses retentionDays %p with 400 and changes nothing',
      async (v) => {
        expectValidationError(await h.patch(a, group, { retentionDays: v }), ['retentionDays']);
        expect((await h.c.get(a, group)).retentionDays).toBeNull();
      },
    );

    it('answers 404 to someone outside the conversation', async () => {
      const [outsider] = await createJoiningUsers(t, 1);
      expectError(await h.patch(outsider, direct, { retentionDays: 1 }), 404, 'NOT_FOUND');
    });
  });

  describe('the sweep', () => {
    it('turns expired messages into tombstones with new versions, and deletes what they held', async () => {
      const [x, y] = await createJoiningUsers(t, 2);
      const id = (await h.c.direct(x, y)).id;
      const plain = await h.c.send(x, id, 'expiring zebra words');
      const masked = await h.c.send(x, id, 'oh shit, never mind');
      const image = await h.upload(x, 'photo.png', await png());
      const keys = (await h.storedKeys(image.id))!;
      const withFile = await h.c.send(x, id, 'see picture', { attachmentIds: [image.id] });
      const reply = await h.c.send(y, id, 'nice zebra', { replyToMessageId: plain.id });
      await call(t, y, {
        method: 'put',
        path: `/conversations/${id}/messages/${plain.id}/reactions/${encodeURIComponent('👍')}`,
      }).expect(200);
      const uploadDir = t.env.UPLOAD_DIR;
      const stored = join(uploadDir, keys.storage_key.slice(0, 2), keys.storage_key);
      expect(existsSync(stored)).toBe(true);
      await h.patch(x, id, { retentionDays: 1 }).expect(200);
      const before = await h.c.get(x, id);

      clock.reset();
      const sy = await connect(t.url, y.token);
      const deleted = waitFor(sy, 'message:deleted', (p) => p.messageId === withFile.id);
      try {
        clock.advance(DAY - 60_000);
        await sweeper.sweep();
        expect((await h.message(x, id, plain.id)).isDeleted).toBe(false);

        clock.advance(2 * 60_000);
        await sweeper.sweep();
        expect((await deleted).conversationId).toBe(id);
      } finally {
        sy.close();
      }

      for (const m of [plain, masked, withFile, reply]) {
        const now = await h.message(y, id, m.id);
        expect(now).toMatchObject({ isDeleted: true, content: '', attachments: [], reactions: [] });
        expect(now.version).toBeGreaterThan(before.lastVersion);
      }
      const after = await h.c.get(x, id);
      expect(after.lastSeq).toBe(before.lastSeq);
      // one version per change: four tombstones
      expect(after.lastVersion).toBe(before.lastVersion + 4);
      const changes = (
        await call(t, y, {
          method: 'get',
          path: `/conversations/${id}/changes?sinceVersion=${before.lastVersion}`,
        }).expect(200)
      ).body.items as Message[];
      expect(changes.map((m) => m.id).sort()).toEqual(
        [plain, masked, withFile, reply].map((m) => m.id).sort(),
      );
      // bytes, rows, masked originals and search entries are gone
      expect(existsSync(stored)).toBe(false);
      if (keys.thumbnail_key)
        expect(
          existsSync(join(uploadDir, keys.thumbnail_key.slice(0, 2), keys.thumbnail_key)),
        ).toBe(false);
      expect(await h.storedKeys(image.id)).toBeUndefined();
      const db = t.app.get(DataSource);
      expect(
        await db.query(
          `SELECT count(*)::int AS n FROM messages WHERE id = ANY($1::uuid[])
              AND (masked_original IS NOT NULL OR search_vector IS NOT NULL)`,
          [[plain.id, masked.id, withFile.id, reply.id]],
        ),
      ).toEqual([{ n: 0 }]);
      expect(
        await db.query(`SELECT count(*)::int AS n FROM message_reactions WHERE message_id = $1`, [
          plain.id,
        ]),
      ).toEqual([{ n: 0 }]);
      const search = await call(t, x, {
        method: 'get',
        path: `/messages/search?q=zebra&conversationId=${id}`,
      }).expect(200);
      expect(search.body.items).toEqual([]);
    });

    it('keeps a message with an open flag until the flag is resolved', async () => {
      const [x, y] = await createJoiningUsers(t, 2);
      const id = (await h.c.direct(x, y)).id;
      const flagged = await h.c.send(x, id, 'call me on 0501234567');
      const plain = await h.c.send(x, id, 'after the flagged one');
      await h.patch(x, id, { retentionDays: 1 }).expect(200);
      clock.advance(2 * DAY);
      await sweeper.sweep();
      expect((await h.message(y, id, flagged.id)).isDeleted).toBe(false);
      expect((await h.message(y, id, plain.id)).isDeleted).toBe(true);

      const { token } = await admin(t);
      const flags = (
        await t
          .http()
          .get(`${API}/admin/moderation/flags?status=open&limit=100`)
          .set(auth(token))
          .expect(200)
      ).body.items as { id: string; messageId: string }[];
      const flag = flags.find((f) => f.messageId === flagged.id)!;
      await t
        .http()
        .post(`${API}/admin/moderation/flags/${flag.id}/resolve`)
        .set(auth(token))
        .send({ action: 'dismiss' })
        .expect(200);
      await sweeper.sweep();
      expect((await h.message(y, id, flagged.id)).isDeleted).toBe(true);
    });

    it('keeps messages younger than the retention, and conversations without one', async () => {
      const [x, y] = await createJoiningUsers(t, 2);
      const kept = (await h.c.direct(x, y)).id;
      const forever = (await h.c.group(x, [y], 'Forever')).id;
      const young = await h.c.send(x, kept, 'young');
      const old = await h.c.send(x, forever, 'old but kept');
      await h.patch(x, kept, { retentionDays: 3650 }).expect(200);
      clock.advance(30 * DAY);
      await sweeper.sweep();
      expect((await h.message(y, kept, young.id)).isDeleted).toBe(false);
      expect((await h.message(y, forever, old.id)).isDeleted).toBe(false);
    });

    it('sweeps a long history in bounded batches, each change with its own version', async () => {
      const [x, y] = await createJoiningUsers(t, 2);
      const id = (await h.c.direct(x, y)).id;
      for (let i = 0; i < 230; i++) await h.c.send(i % 2 ? x : y, id, `message ${i}`);
      await h.patch(x, id, { retentionDays: 1 }).expect(200);
      const before = await h.c.get(x, id);
      clock.advance(2 * DAY);
      await sweeper.sweep();
      const after = await h.c.get(x, id);
      expect(after.lastVersion).toBe(before.lastVersion + 230);
      const db = t.app.get(DataSource);
      expect(
        await db.query(
          `SELECT count(*)::int AS live, count(DISTINCT version)::int AS versions
             FROM messages WHERE conversation_id = $1 AND deleted_at IS NULL`,
          [id],
        ),
      ).toEqual([{ live: 0, versions: 0 }]);
      expect(
        await db.query(
          `SELECT count(DISTINCT version)::int AS versions FROM messages WHERE conversation_id = $1`,
          [id],
        ),
      ).toEqual([{ versions: 230 }]);
      // the next sweep starts after what is settled
      expect(
        await db.query(
          `SELECT swept_seq::int AS seq FROM retention_progress WHERE conversation_id = $1`,
          [id],
        ),
      ).toEqual([{ seq: 230 }]);
      await sweeper.sweep();
      expect((await h.c.get(x, id)).lastVersion).toBe(after.lastVersion);
    });

    it('scans a conversation through the (conversation_id, seq) index', async () => {
      // many conversations, so that reading one of them by its index is the cheap way
      const db = t.app.get(DataSource);
      const seeded: { id: string }[] = await db.query(
        `INSERT INTO conversations (type, title, created_by)
         SELECT 'group', 'seed', $1 FROM generate_series(1, 200) RETURNING id`,
        [a.id],
      );
      await db.query(
        `INSERT INTO messages (conversation_id, seq, version, sender_id, type, content)
         SELECT c.id, g, g, $2, 'text', 'seed'
           FROM unnest($1::uuid[]) AS c(id), generate_series(1, 100) g`,
        [seeded.map((r) => r.id), a.id],
      );
      await db.query(`ANALYZE messages`);
      const [{ 'QUERY PLAN': plan }] = await db.query(`EXPLAIN (FORMAT JSON) ${SCAN_SQL}`, [
        seeded[7].id,
        40,
        new Date(),
        100,
      ]);
      expect(JSON.stringify(plan)).toContain('"Index Name":"messages_seq_key"');
    });
  });
});

describe('retention by MESSAGE_RETENTION_DAYS', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ MESSAGE_RETENTION_DAYS: '30' });
  });
  afterAll(() => t.close());

  it('expires messages of conversations without their own retention after the default', async () => {
    const h = helpers(t);
    const clock = fakeClock(t);
    const [x, y] = await createJoiningUsers(t, 2);
    const byDefault = (await h.c.direct(x, y)).id;
    const longer = (await h.c.group(x, [y], 'Longer')).id;
    const m1 = await h.c.send(x, byDefault, 'default policy');
    const m2 = await h.c.send(x, longer, 'own policy');
    await h.patch(x, longer, { retentionDays: 60 }).expect(200);
    clock.advance(29 * DAY);
    await t.app.get(RetentionSweeper).sweep();
    expect((await h.message(y, byDefault, m1.id)).isDeleted).toBe(false);
    clock.advance(2 * DAY);
    await t.app.get(RetentionSweeper).sweep();
    expect((await h.message(y, byDefault, m1.id)).isDeleted).toBe(true);
    expect((await h.message(y, longer, m2.id)).isDeleted).toBe(false);
  });
});

describe('retention with attachments in an S3-compatible bucket', () => {
  const BUCKET = 'chat-files';
  let s3rver: S3rver;
  let s3Dir: string;
  let t: TestApp;
  let s3: S3Client;

  beforeAll(async () => {
    s3Dir = mkdtempSync(join(tmpdir(), 's3rver-retention-'));
    s3rver = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: s3Dir,
      configureBuckets: [{ name: BUCKET, configs: [] }],
    });
    const { port } = await s3rver.run();
    const endpoint = `http://127.0.0.1:${port}`;
    const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    t = await startTestApp({
      S3_ENDPOINT: endpoint,
      S3_BUCKET: BUCKET,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    });
    s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  });
  afterAll(async () => {
    await t.close();
    s3.destroy();
    await s3rver.close();
    rmSync(s3Dir, { recursive: true, force: true });
  });

  it('removes the objects of expired messages from the bucket', async () => {
    const h = helpers(t);
    const clock = fakeClock(t);
    const objectKeys = async () =>
      ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map(
        (o) => o.Key!,
      );
    const [x, y] = await createJoiningUsers(t, 2);
    const id = (await h.c.direct(x, y)).id;
    const image = await h.upload(x, 'photo.png', await png());
    const keys = (await h.storedKeys(image.id))!;
    await h.c.send(x, id, '', { attachmentIds: [image.id] });
    expect(await objectKeys()).toContain(`attachments/${keys.storage_key}`);
    await h.patch(x, id, { retentionDays: 1 }).expect(200);
    clock.advance(2 * DAY);
    await t.app.get(RetentionSweeper).sweep();
    const left = await objectKeys();
    expect(left).not.toContain(`attachments/${keys.storage_key}`);
    if (keys.thumbnail_key) expect(left).not.toContain(`attachments/${keys.thumbnail_key}`);
  });
});
