import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AttachmentsCleanup } from '../src/attachments/attachments-cleanup.service';
import { chat } from './support/chat';
import { createTestDatabase, TestDatabase } from './support/database';
import { admin, auth, createUser, TestUser } from './support/factories';
import { API, startTestApp, TestApp } from './support/test-app';

const keyOf = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

async function atRest(t: TestApp, a: TestUser, b: TestUser, contextId = randomUUID()) {
  const res = await t
    .http()
    .post(`${API}/conversations`)
    .set(auth(a.token))
    .send({ type: 'direct', participantIds: [b.id], contextId, encryption: 'at_rest' })
    .expect(201);
  return res.body.id as string;
}

/** Runs `npm run keys:rotate`'s program (built by `npm test`) against a database. */
function rotate(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(__dirname, '..', 'dist', 'src', 'encryption', 'rotate-keys.js')],
      {
        env: { PATH: process.env.PATH ?? '', ...env },
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('encryption at rest', () => {
  let t: TestApp;
  let a: TestUser;
  let b: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    [a, b] = await Promise.all([createUser(t), createUser(t)]);
  });
  afterAll(() => t.close());

  const raw = () => t.app.get(DataSource);

  it('stores no plaintext of messages, edits, masked originals or flag copies', async () => {
    const conversationId = await atRest(t, a, b);
    const sent = await chat(t).send(a, conversationId, 'the ZEBRA-4711 plan, shit');
    expect(sent.content).toBe('the ZEBRA-4711 plan, ***');
    const flagged = await chat(t).send(a, conversationId, 'OKAPI-99 call me on 0501234567');
    await t
      .http()
      .patch(`${API}/conversations/${conversationId}/messages/${flagged.id}`)
      .set(auth(a.token))
      .send({ content: 'OKAPI-99 edited, write to x@example.com' })
      .expect(200);
    const history = await chat(t).history(b, conversationId);
    expect(history.map((m) => m.content)).toEqual([
      'OKAPI-99 edited, write to x@example.com',
      'the ZEBRA-4711 plan, ***',
    ]);

    const rows = JSON.stringify(
      await raw().query(`SELECT * FROM messages WHERE conversation_id = $1`, [conversationId]),
    );
    const flags = JSON.stringify(
      await raw().query(`SELECT * FROM moderation_flags WHERE conversation_id = $1`, [
        conversationId,
      ]),
    );
    for (const secret of ['ZEBRA', 'OKAPI', 'shit', '0501234567', 'example.com']) {
      expect(rows).not.toContain(secret);
      expect(flags).not.toContain(secret);
    }
    // reviewers still read what was written
    const { token } = await admin(t);
    const list = await t
      .http()
      .get(`${API}/admin/moderation/flags?limit=100`)
      .set(auth(token))
      .expect(200);
    const mine = list.body.items.filter(
      (f: { conversationId: string }) => f.conversationId === conversationId,
    );
    expect(mine.map((f: { content: string }) => f.content).sort()).toEqual([
      'OKAPI-99 call me on 0501234567',
      'OKAPI-99 edited, write to x@example.com',
    ]);
  });

  it('stores attachment bytes of at_rest conversations sealed, and serves them whole and by range', async () => {
    const conversationId = await atRest(t, a, b);
    const marker = `PANGOLIN-${randomUUID()}`;
    const text = `first line\n${marker}\nlast line\n`;
    const upload = await t
      .http()
      .post(`${API}/attachments`)
      .set(auth(a.token))
      .attach('file', Buffer.from(text), { filename: 'note.txt', contentType: 'text/plain' })
      .expect(201);
    const sent = await t
      .http()
      .post(`${API}/conversations/${conversationId}/messages`)
      .set(auth(a.token))
      .send({ content: 'see attached', attachmentIds: [upload.body.id] })
      .expect(201);
    expect(sent.body.attachments).toHaveLength(1);

    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
      );
    const uploadDir = t.env.UPLOAD_DIR;
    for (const file of files(uploadDir)) expect(readFileSync(file).includes(marker)).toBe(false);

    const whole = await t
      .http()
      .get(`${API}/attachments/${upload.body.id}`)
      .set(auth(b.token))
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect((whole.body as Buffer).toString()).toBe(text);
    const part = await t
      .http()
      .get(`${API}/attachments/${upload.body.id}`)
      .set(auth(b.token))
      .set('Range', 'bytes=11-19')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(206);
    expect((part.body as Buffer).toString()).toBe(text.slice(11, 20));
  });

  it('seals on schedule what a crash between the send and its sealing left in the clear', async () => {
    const conversationId = await atRest(t, a, b);
    const sent = await chat(t).send(a, conversationId, 'text first');
    const marker = `ARMADILLO-${randomUUID()}`;
    const upload = await t
      .http()
      .post(`${API}/attachments`)
      .set(auth(a.token))
      .attach('file', Buffer.from(`${marker}\n`), {
        filename: 'left.txt',
        contentType: 'text/plain',
      })
      .expect(201);
    // as if the node died right after the send committed: claimed, still as uploaded
    await raw().query(`UPDATE attachments SET message_id = $2 WHERE id = $1`, [
      upload.body.id,
      sent.id,
    ]);
    const stored = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? stored(join(dir, e.name)) : [join(dir, e.name)],
      );
    const holdsMarker = () =>
      stored(t.env.UPLOAD_DIR).some((f) => readFileSync(f).includes(marker));
    expect(holdsMarker()).toBe(true);
    await t.app.get(AttachmentsCleanup).run();
    expect(holdsMarker()).toBe(false);
    const [{ sealed_for }] = await raw().query(`SELECT sealed_for FROM attachments WHERE id = $1`, [
      upload.body.id,
    ]);
    expect(sealed_for).toBe(conversationId);
  });

  it('fails reading a message whose ciphertext was changed, instead of returning other text', async () => {
    const conversationId = await atRest(t, a, b);
    const sent = await chat(t).send(a, conversationId, 'do not alter me');
    const [{ content }] = await raw().query(`SELECT content FROM messages WHERE id = $1`, [
      sent.id,
    ]);
    const bytes = Buffer.from(content as string, 'base64');
    bytes[bytes.length - 20] ^= 0x01;
    await raw().query(`UPDATE messages SET content = $2 WHERE id = $1`, [
      sent.id,
      bytes.toString('base64'),
    ]);
    const res = await t
      .http()
      .get(`${API}/conversations/${conversationId}/messages/${sent.id}`)
      .set(auth(b.token))
      .expect(500);
    expect(res.body.code).toBe('INTERNAL');
    expect(JSON.stringify(res.body)).not.toContain('do not alter');
  });

  it('keeps plain conversations in plain text', async () => {
    const conversationId = (await chat(t).direct(a, b, `plain-${randomUUID()}`)).id;
    const sent = await chat(t).send(a, conversationId, 'plain GIRAFFE');
    const [{ content, encrypted }] = await raw().query(
      `SELECT content, encrypted FROM messages WHERE id = $1`,
      [sent.id],
    );
    expect({ content, encrypted }).toEqual({ content: 'plain GIRAFFE', encrypted: false });
  });
});

describe('master key rotation', () => {
  let db: TestDatabase;
  const keyA = keyOf('a');
  const keyB = keyOf('b');

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('keeps every message readable from key A to B,A to B, and refuses to boot with an unknown key', async () => {
    let t = await startTestApp({ ENCRYPTION_KEYS: keyA }, db);
    const [a, b] = await Promise.all([createUser(t), createUser(t)]);
    const conversationId = await atRest(t, a, b);
    await chat(t).send(a, conversationId, 'written under key A');
    await t.close();

    const rotated = await rotate({
      ...db.env,
      ENCRYPTION_KEYS: `${keyB},${keyA}`,
      LOG_LEVEL: 'warn',
    });
    expect(rotated.output).toContain('re-wrapped 1 data key');
    expect(rotated.code).toBe(0);

    t = await startTestApp({ ENCRYPTION_KEYS: `${keyB},${keyA}` }, db);
    await chat(t).send(a, conversationId, 'written under key B');
    expect((await chat(t).history(b, conversationId)).map((m) => m.content)).toEqual([
      'written under key B',
      'written under key A',
    ]);
    await t.close();

    t = await startTestApp({ ENCRYPTION_KEYS: keyB }, db);
    expect((await chat(t).history(b, conversationId)).map((m) => m.content)).toEqual([
      'written under key B',
      'written under key A',
    ]);
    await t.close();

    await expect(startTestApp({ ENCRYPTION_KEYS: keyOf('c') }, db)).rejects.toThrow(
      /master key "b", which ENCRYPTION_KEYS does not hold/,
    );
  }, 60_000);
});

describe('end-to-end encrypted conversations and the key directory', () => {
  let t: TestApp;
  let a: TestUser;
  let b: TestUser;
  let stranger: TestUser;
  let conversationId: string;

  beforeAll(async () => {
    t = await startTestApp();
    [a, b, stranger] = await Promise.all([createUser(t), createUser(t), createUser(t)]);
    const res = await t
      .http()
      .post(`${API}/conversations`)
      .set(auth(a.token))
      .send({ type: 'direct', participantIds: [b.id], encryption: 'e2e' })
      .expect(201);
    conversationId = res.body.id;
  });
  afterAll(() => t.close());

  it('stores and relays the ciphertext exactly as given', async () => {
    const ciphertext = randomBytes(1200).toString('base64');
    const sent = await chat(t).send(a, conversationId, ciphertext);
    expect(sent).toMatchObject({ content: ciphertext, moderation: 'clean' });
    const [seen] = await chat(t).history(b, conversationId, '?limit=1');
    expect(seen.content).toBe(ciphertext);
    const [{ content }] = await t.app
      .get(DataSource)
      .query(`SELECT content FROM messages WHERE id = $1`, [sent.id]);
    expect(content).toBe(ciphertext);
  });

  it('accepts ciphertext up to 16 KiB and refuses non-base64 or larger content with 400, storing nothing', async () => {
    await chat(t).send(a, conversationId, randomBytes(16 * 1024).toString('base64'));
    const before = (await chat(t).get(a, conversationId)).lastSeq;
    for (const content of [
      'hello plain text',
      'abc',
      randomBytes(16 * 1024 + 3).toString('base64'),
    ]) {
      const res = await t
        .http()
        .post(`${API}/conversations/${conversationId}/messages`)
        .set(auth(a.token))
        .send({ content })
        .expect(400);
      expect(res.body.details).toHaveProperty('content');
    }
    expect((await chat(t).get(a, conversationId)).lastSeq).toBe(before);
  });

  it('publishes device keys to people who share a conversation, and to nobody else', async () => {
    const put = await t
      .http()
      .put(`${API}/keys/me`)
      .set(auth(b.token))
      .send({ deviceId: 'phone-1', publicKey: randomBytes(65).toString('base64') })
      .expect(200);
    expect(put.body).toEqual({
      userId: b.id,
      deviceId: 'phone-1',
      publicKey: expect.any(String),
      createdAt: expect.any(String),
    });
    const again = await t
      .http()
      .put(`${API}/keys/me`)
      .set(auth(b.token))
      .send({ deviceId: 'phone-1', publicKey: 'AAAA' })
      .expect(200);
    expect(again.body.publicKey).toBe('AAAA');
    const seen = await t.http().get(`${API}/keys?userIds=${b.id}`).set(auth(a.token)).expect(200);
    expect(seen.body.items).toEqual([
      { userId: b.id, deviceId: 'phone-1', publicKey: 'AAAA', createdAt: expect.any(String) },
    ]);
    const hidden = await t
      .http()
      .get(`${API}/keys?userIds=${b.id}`)
      .set(auth(stranger.token))
      .expect(200);
    expect(hidden.body.items).toEqual([]);
  });

  it('refuses bad key input', async () => {
    for (const body of [
      {},
      { deviceId: '', publicKey: 'AAAA' },
      { deviceId: 'x', publicKey: 'not base64!' },
      { deviceId: 'x', publicKey: 'AAAA', userId: a.id },
    ]) {
      await t.http().put(`${API}/keys/me`).set(auth(a.token)).send(body).expect(400);
    }
    await t.http().get(`${API}/keys?userIds=nope`).set(auth(a.token)).expect(400);
    await t.http().get(`${API}/keys`).set(auth(a.token)).expect(400);
  });
});
