import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { chat } from './support/chat';
import { expectErrorBody } from './support/error-body';
import { auth, createUser, TestUser } from './support/factories';
import { API, startTestApp, TestApp } from './support/test-app';
import { chromiumWebm, oggOpusPackets } from './support/webm-recording';

const MiB = 1024 * 1024;
const FIXTURES = join(__dirname, 'fixtures', 'audio');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const { head, audio } = oggOpusPackets(fixture('voice.ogg'));

describe('voice messages', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let direct: string;

  beforeAll(async () => {
    t = await startTestApp();
    [alice, bob] = await Promise.all([createUser(t), createUser(t)]);
    direct = (await chat(t).direct(alice, bob)).id;
  });
  afterAll(() => t.close());

  const upload = (filename: string, bytes: Buffer, user = alice) =>
    t
      .http()
      .post(`${API}/attachments`)
      .set(auth(user.token))
      .attach('file', bytes, { filename, contentType: 'application/octet-stream' });
  const uploaded = async (filename: string, bytes: Buffer) => {
    const res = await upload(filename, bytes);
    if (res.status !== 201) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Record<string, any>;
  };
  const send = (attachmentIds: string[]) =>
    t
      .http()
      .post(`${API}/conversations/${direct}/messages`)
      .set(auth(alice.token))
      .send({ content: '', attachmentIds });
  const storedAttachments = async () =>
    Number(
      (
        await t.app
          .get(DataSource)
          .query(`SELECT count(*) AS n FROM attachments WHERE uploader_id = $1`, [alice.id])
      )[0].n,
    );

  it.each([
    ['voice.ogg', 'audio/ogg'],
    ['voice.webm', 'audio/webm'],
    ['voice.m4a', 'audio/mp4'],
    ['voice.mp3', 'audio/mpeg'],
  ])('accepts %s as an audio attachment with its length', async (name, mimeType) => {
    const a = await uploaded(name, fixture(name));
    expect(a).toEqual({
      id: expect.any(String),
      kind: 'audio',
      filename: name,
      mimeType,
      size: fixture(name).length,
      durationMs: expect.any(Number),
      url: `/api/v1/attachments/${a.id}`,
      createdAt: expect.any(String),
    });
    expect(a.durationMs).toBeGreaterThanOrEqual(1450);
    expect(a.durationMs).toBeLessThanOrEqual(1600);
  });

  it('reads the length of a Chromium recording (no Duration, Clusters of unknown size) from its last block', async () => {
    const a = await uploaded('recording.webm', chromiumWebm(head, audio, 2.5));
    expect(a).toMatchObject({ kind: 'audio', mimeType: 'audio/webm', durationMs: 2500 });
  });

  it('refuses a text file named .ogg, a renamed recording, a truncated one and an MP3 with a bogus header with 415', async () => {
    const before = await storedAttachments();
    const mp3 = fixture('voice.mp3');
    const bogus = Buffer.from(mp3);
    bogus[bogus.indexOf(Buffer.from([0xff, 0xf3]), 4) + 2] |= 0xf0;
    const m4a = fixture('voice.m4a');
    const recording = chromiumWebm(head, audio, 1.5);
    for (const [name, bytes] of [
      ['notes.ogg', Buffer.from('just some text, not a recording\n')],
      ['voice.mp3', fixture('voice.ogg')],
      ['voice.ogg', fixture('voice.webm')],
      ['voice.m4a', m4a.subarray(0, Math.floor(m4a.length / 2))],
      ['voice.mp3', mp3.subarray(0, mp3.length - 100)],
      ['recording.webm', recording.subarray(0, recording.length - 10)],
      ['voice.mp3', bogus],
      ['voice.wav', Buffer.from('RIFF....WAVEfmt ')],
    ] as const) {
      expectErrorBody(await upload(name, bytes), 415, 'UNSUPPORTED_FILE_TYPE');
    }
    expect(await storedAttachments()).toBe(before);
  });

  it('refuses a recording longer than MAX_AUDIO_SECONDS (600) with 413, and a larger one than MAX_AUDIO_BYTES', async () => {
    const long = await upload('long.webm', chromiumWebm(head, audio, 601));
    expectErrorBody(long, 413, 'FILE_TOO_LARGE');
    expect(long.body.details).toMatchObject({ maxSeconds: 600 });
    const huge = Buffer.concat([fixture('voice.mp3'), Buffer.alloc(10 * MiB + 1)]);
    const big = await upload('huge.mp3', huge);
    expectErrorBody(big, 413, 'FILE_TOO_LARGE');
    expect(big.body.details).toMatchObject({ maxBytes: 10 * MiB });
  });

  it('makes a message of recordings an audio message, and one mixed with a picture a file message', async () => {
    const [one, two, three] = [
      await uploaded('a.ogg', fixture('voice.ogg')),
      await uploaded('b.m4a', fixture('voice.m4a')),
      await uploaded('c.mp3', fixture('voice.mp3')),
    ];
    const voice = await send([one.id, two.id]).expect(201);
    expect(voice.body).toMatchObject({ type: 'audio', attachments: [one, two] });
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    );
    const picture = await uploaded('dot.png', png);
    expect((await send([three.id, picture.id]).expect(201)).body.type).toBe('file');

    const notifications = await t
      .http()
      .get(`${API}/notifications`)
      .set(auth(bob.token))
      .expect(200);
    const forVoice = notifications.body.items.find(
      (n: { messageId: string }) => n.messageId === voice.body.id,
    );
    expect(forVoice?.body).toBe('🎤 Voice message');
  });

  it('serves a recording inline to the members, honouring Range', async () => {
    const a = await uploaded('voice.webm', fixture('voice.webm'));
    await send([a.id]).expect(201);
    const bytes = fixture('voice.webm');
    const whole = await t.http().get(a.url).set(auth(bob.token)).buffer(true).expect(200);
    expect(whole.headers['content-type']).toBe('audio/webm');
    expect(whole.headers['content-disposition']).toMatch(/^inline; filename="?voice\.webm"?$/);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    const part = await t
      .http()
      .get(a.url)
      .set(auth(bob.token))
      .set('Range', 'bytes=100-199')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${bytes.length}`);
    expect(part.body).toEqual(bytes.subarray(100, 200));
  });

  it('describes audio in the OpenAPI and AsyncAPI documents', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    expect(doc.components.schemas.AttachmentDto.properties.kind.enum).toEqual([
      'image',
      'file',
      'audio',
    ]);
    expect(doc.components.schemas.AttachmentDto.properties).toHaveProperty('durationMs');
    expect(doc.components.schemas.MessageDto.properties.type.enum).toContain('audio');
    const events = (await t.http().get('/docs/events-json').expect(200)).body;
    expect(events.components.schemas.AttachmentDto.properties.kind.enum).toContain('audio');
    expect(events.components.schemas.MessageDto.properties.type.enum).toContain('audio');
  });
});
