import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import { crc32 } from 'node:zlib';
import S3rver from 's3rver';
import sharp from 'sharp';
import { DataSource } from 'typeorm';
import { AttachmentsCleanup } from '../src/attachments/attachments-cleanup.service';
import { chat } from './support/chat';
import { auth, TestUser } from './support/factories';
import { call, createJoiningUsers, expectError } from './support/matrix';
import { validateOpenApi } from './support/openapi-validator';
import { API, startTestApp, TestApp } from './support/test-app';

const MiB = 1024 * 1024;

/** A full garbage collection, to measure what memory stays reachable. */
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const FIXTURES = join(__dirname, 'fixtures', 'attachments');
const PDF = readFileSync(join(FIXTURES, 'sample.pdf'));
const DOCX = readFileSync(join(FIXTURES, 'sample.docx'));
const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

interface Attachment {
  id: string;
  kind: 'image' | 'file';
  filename: string;
  mimeType: string;
  size: number;
  width?: number;
  height?: number;
  url: string;
  thumbnailUrl?: string;
  createdAt: string;
}

// ---- request bodies, built by hand so that file names reach the server exactly as written

const BOUNDARY = '----attachments-e2e-boundary';
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;

interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  body: Buffer | string;
}

function partHead(p: Omit<Part, 'body'>): Buffer {
  // Browsers send file names as UTF-8 and escape only the quote (and CR, LF) as %22.
  const filename =
    p.filename === undefined ? '' : `; filename="${p.filename.replace(/"/g, '%22')}"`;
  const type = p.contentType ? `Content-Type: ${p.contentType}\r\n` : '';
  return Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"${filename}\r\n${type}\r\n`,
  );
}

const EPILOGUE = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

function multipart(parts: Part[]): Buffer {
  const chunks = parts.flatMap((p, i) => [
    ...(i > 0 ? [Buffer.from('\r\n')] : []),
    partHead(p),
    Buffer.from(p.body),
  ]);
  return Buffer.concat([...chunks, EPILOGUE]);
}

// ---- images made here with sharp (real encoders), and tampered copies of them

const picture = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } });
/** Random pixels: compresses badly, so a truncated copy is missing real image data. */
const noise = (width: number, height: number) =>
  sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } });

/** A PNG whose header claims other dimensions (its IHDR checksum fixed, so it parses). */
function withClaimedSize(png: Buffer, width: number, height: number): Buffer {
  const copy = Buffer.from(png);
  copy.writeUInt32BE(width, 16);
  copy.writeUInt32BE(height, 20);
  copy.writeUInt32BE(crc32(copy.subarray(12, 29)), 29);
  return copy;
}

/** Every file under a folder, by path relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** The parsed body of a download: bytes, or the error body when the answer is JSON. */
function readBody(res: http.IncomingMessage, callback: (err: Error | null, body: unknown) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => {
    const bytes = Buffer.concat(chunks);
    const json = /^application\/json/.test(res.headers['content-type'] ?? '');
    callback(null, json ? JSON.parse(bytes.toString('utf8')) : bytes);
  });
}

/** Client helpers for one app. */
function attachmentsClient(t: TestApp) {
  const post = (user: TestUser, parts: Part[]) =>
    t
      .http()
      .post(`${API}/attachments`)
      .set(auth(user.token))
      .set('Content-Type', MULTIPART)
      .send(multipart(parts));
  const upload = (
    user: TestUser,
    filename: string,
    body: Buffer | string,
    contentType = 'application/octet-stream',
  ) => post(user, [{ name: 'file', filename, contentType, body }]);
  return {
    post,
    upload,
    async uploaded(user: TestUser, filename: string, body: Buffer | string, contentType?: string) {
      const res = await upload(user, filename, body, contentType);
      if (res.status !== 201) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as Attachment;
    },
    fetch(user: TestUser, path: string, headers: Record<string, string> = {}) {
      return t
        .http()
        .get(path)
        .set(auth(user.token))
        .set(headers)
        .buffer(true)
        .parse((res, callback) => readBody(res as unknown as http.IncomingMessage, callback));
    },
  };
}

/**
 * Streams a `total`-byte file to POST /attachments without ever holding it (`head` first, then
 * filler), and resolves with the answer as soon as it arrives, even mid-upload.
 */
function streamUpload(
  t: TestApp,
  user: TestUser,
  filename: string,
  head: Buffer,
  total: number,
  options: { agent?: http.Agent; onEveryMiB?: (sent: number) => void } = {},
) {
  const preamble = partHead({ name: 'file', filename, contentType: 'application/octet-stream' });
  const filler = Buffer.alloc(64 * 1024, 'a');
  let sent = 0;
  const body = new Readable({
    read() {
      if (sent === 0) {
        sent = head.length;
        this.push(Buffer.concat([preamble, head]));
      } else if (sent < total) {
        const n = Math.min(filler.length, total - sent);
        if (Math.floor((sent + n) / MiB) > Math.floor(sent / MiB)) options.onEveryMiB?.(sent + n);
        sent += n;
        this.push(filler.subarray(0, n));
      } else {
        this.push(EPILOGUE);
        this.push(null);
      }
    },
  });
  return new Promise<{
    status: number;
    body: Record<string, any>;
    sent: number;
    reusedSocket: boolean;
  }>((resolve, reject) => {
    const req = http.request(`${t.url}${API}/attachments`, {
      method: 'POST',
      agent: options.agent,
      headers: {
        ...auth(user.token),
        'Content-Type': MULTIPART,
        'Content-Length': preamble.length + total + EPILOGUE.length,
      },
    });
    req.on('response', (res) => {
      readBody(res, (_err, parsed) => {
        const status = res.statusCode ?? 0;
        // Stop sending what the server refused; a finished request keeps its connection.
        if (!req.writableFinished) {
          body.destroy();
          req.destroy();
        }
        resolve({
          status,
          body: parsed as Record<string, any>,
          sent,
          reusedSocket: req.reusedSocket,
        });
      });
    });
    req.on('error', reject);
    body.pipe(req);
  });
}

describe('attachments', () => {
  let t: TestApp;
  let uploadDir: string;
  let c: ReturnType<typeof chat>;
  let files: ReturnType<typeof attachmentsClient>;
  let db: DataSource;
  let owner: TestUser;
  let peer: TestUser;
  let member: TestUser;
  let outsider: TestUser;
  let png: Buffer;

  beforeAll(async () => {
    uploadDir = mkdtempSync(join(tmpdir(), 'attachments-e2e-'));
    t = await startTestApp({ UPLOAD_DIR: uploadDir });
    c = chat(t);
    files = attachmentsClient(t);
    db = t.app.get(DataSource);
    [owner, peer, member, outsider] = await createJoiningUsers(t, 4);
    png = await picture(640, 480).png().toBuffer();
  });
  afterAll(async () => {
    await t.close();
    rmSync(uploadDir, { recursive: true, force: true });
  });

  const storedKeys = async (id: string) =>
    (
      await db.query(`SELECT storage_key, thumbnail_key FROM attachments WHERE id = $1`, [id])
    )[0] as { storage_key: string; thumbnail_key: string | null } | undefined;
  const storedPath = (key: string) => join(uploadDir, key.slice(0, 2), key);
  const lastSeq = async (conversationId: string) => (await c.get(owner, conversationId)).lastSeq;
  const send = (user: TestUser, conversationId: string, body: object) =>
    call(t, user, { method: 'post', path: `/conversations/${conversationId}/messages`, body });

  describe('contract', () => {
    const routes = [
      ['post', `${API}/attachments`],
      ['get', `${API}/attachments/00000000-0000-4000-8000-000000000000`],
      ['get', `${API}/attachments/00000000-0000-4000-8000-000000000000/thumbnail`],
    ] as const;

    it('answers every attachment route without a token with 401 UNAUTHORIZED, reading no upload', async () => {
      for (const [method, path] of routes) {
        const req = t.http()[method](path);
        const res =
          method === 'post'
            ? await req
                .set('Content-Type', MULTIPART)
                .send(multipart([{ name: 'file', filename: 'a.txt', body: 'hi' }]))
            : await req;
        expectError(res, 401, 'UNAUTHORIZED');
      }
      expect(filesUnder(uploadDir)).toEqual([]);
    });

    it('describes the attachment routes in a valid OpenAPI document, errors as ErrorBody', async () => {
      const doc = (await t.http().get('/docs-json').expect(200)).body;
      await expect(validateOpenApi(doc)).resolves.toBeUndefined();
      const upload = doc.paths['/api/v1/attachments'].post;
      expect(Object.keys(upload.requestBody.content)).toEqual(['multipart/form-data']);
      expect(upload.responses['201'].content['application/json'].schema.$ref).toBe(
        '#/components/schemas/AttachmentDto',
      );
      for (const path of ['/api/v1/attachments/{id}', '/api/v1/attachments/{id}/thumbnail']) {
        const responses = doc.paths[path].get.responses;
        expect(Object.keys(responses)).toEqual(
          expect.arrayContaining(['200', '206', '304', '404']),
        );
        expect(responses['404'].content['application/json'].schema.$ref).toBe(
          '#/components/schemas/ErrorBody',
        );
      }
      for (const status of ['413', '415'])
        expect(upload.responses[status].content['application/json'].schema.$ref).toBe(
          '#/components/schemas/ErrorBody',
        );
    });
  });

  describe('uploading', () => {
    it('stores a PNG and answers 201 with the Attachment', async () => {
      const res = await files.upload(owner, 'photo.png', png, 'image/png').expect(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        kind: 'image',
        filename: 'photo.png',
        mimeType: 'image/png',
        size: expect.any(Number),
        width: 640,
        height: 480,
        url: `/api/v1/attachments/${res.body.id}`,
        thumbnailUrl: `/api/v1/attachments/${res.body.id}/thumbnail`,
        createdAt: expect.stringMatching(ISO_MS),
      });
    });

    it.each([
      ['JPEG', 'photo.jpg', 'image/jpeg', () => picture(300, 200).jpeg().toBuffer()],
      ['GIF', 'anim.gif', 'image/gif', () => picture(300, 200).gif().toBuffer()],
      ['WebP', 'photo.webp', 'image/webp', () => picture(300, 200).webp().toBuffer()],
    ])('stores a %s image with its dimensions', async (_kind, filename, mimeType, make) => {
      const res = await files.upload(owner, filename, await make()).expect(201);
      expect(res.body).toMatchObject({
        kind: 'image',
        filename,
        mimeType,
        width: 300,
        height: 200,
      });
    });

    it.each([
      ['PDF', 'report.pdf', 'application/pdf', PDF],
      ['DOCX', 'letter.docx', DOCX_MIME, DOCX],
      ['UTF-8 text', 'notes.txt', 'text/plain', Buffer.from('Hello\nمرحبا بالعالم\n👋\n')],
    ])('stores a %s document without image fields', async (_kind, filename, mimeType, bytes) => {
      const res = await files.upload(owner, filename, bytes).expect(201);
      expect(res.body).toMatchObject({ kind: 'file', filename, mimeType, size: bytes.length });
      for (const field of ['width', 'height', 'thumbnailUrl'])
        expect(res.body).not.toHaveProperty(field);
    });

    it('decides the type from the bytes, not from the declared Content-Type', async () => {
      const res = await files.upload(owner, 'report.pdf', PDF, 'image/png').expect(201);
      expect(res.body.mimeType).toBe('application/pdf');
    });

    it.each([
      ['text named .png and sent as image/png', 'cat.png', Buffer.from('not an image at all')],
      ['a PNG named .jpg', 'photo.jpg', 'png'],
      ['a PDF named .txt', 'notes.txt', PDF],
      ['a DOCX named .pdf', 'report.pdf', DOCX],
      ['text named .docx', 'letter.docx', Buffer.from('plain words')],
      ['a zip that is no Word document, named .docx', 'letter.docx', 'zip'],
      ['text that is not UTF-8', 'latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])],
      ['text with control characters', 'binary.txt', Buffer.from([0x41, 0x00, 0x01, 0x42])],
      ['an executable', 'setup.exe', Buffer.from('MZ\x90\x00\x03\x00\x00\x00')],
      ['a file without extension', 'README', Buffer.from('read me')],
      ['an SVG image', 'logo.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')],
      ['a zero-byte file', 'empty.txt', Buffer.alloc(0)],
    ])('refuses %s with 415 UNSUPPORTED_FILE_TYPE', async (_what, filename, body) => {
      const bytes =
        body === 'png'
          ? png
          : body === 'zip'
            ? Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(200)])
            : (body as Buffer);
      const res = await files.upload(owner, filename, bytes, 'image/png');
      expectError(res, 415, 'UNSUPPORTED_FILE_TYPE');
      expect(res.body.details).toHaveProperty('file');
    });

    it('refuses a truncated PNG or JPEG with 415 UNSUPPORTED_FILE_TYPE', async () => {
      for (const [filename, image] of [
        ['cut.png', await noise(200, 200).png().toBuffer()],
        ['cut.jpg', await noise(200, 200).jpeg().toBuffer()],
      ] as const) {
        const res = await files.upload(owner, filename, image.subarray(0, image.length / 2));
        expectError(res, 415, 'UNSUPPORTED_FILE_TYPE');
      }
    });

    it('refuses a decompression bomb (a small file claiming 30000×30000 pixels) with 413', async () => {
      const bomb = withClaimedSize(await picture(16, 16).png().toBuffer(), 30_000, 30_000);
      expect(bomb.length).toBeLessThan(1024);
      const res = await files.upload(owner, 'bomb.png', bomb);
      expectError(res, 413, 'FILE_TOO_LARGE');
    });

    it('refuses a request without the file field, with another field, or with two files, with 400', async () => {
      const json = await t
        .http()
        .post(`${API}/attachments`)
        .set(auth(owner.token))
        .send({ file: 'x' });
      expectError(json, 400, 'VALIDATION_FAILED');
      const cases: Part[][] = [
        [{ name: 'upload', filename: 'a.txt', body: 'hi' }],
        [{ name: 'note', body: 'hi' }],
        [
          { name: 'file', filename: 'a.txt', body: 'hi' },
          { name: 'caption', body: 'hello' },
        ],
        [
          { name: 'file', filename: 'a.txt', body: 'hi' },
          { name: 'file', filename: 'b.txt', body: 'ho' },
        ],
      ];
      for (const parts of cases)
        expectError(await files.post(owner, parts), 400, 'VALIDATION_FAILED');
    });

    it('keeps only the base name of a path, and stores the bytes under a random name', async () => {
      const before = filesUnder(uploadDir);
      const names = ['../../../etc/passwd.txt', '..\\..\\windows\\win.ini.txt', '/abs/evil.txt'];
      const uploaded = [];
      for (const name of names) uploaded.push(await files.uploaded(owner, name, 'gotcha'));
      expect(uploaded.map((a) => a.filename)).toEqual(['passwd.txt', 'win.ini.txt', 'evil.txt']);
      const added = filesUnder(uploadDir).filter((f) => !before.includes(f));
      expect(added).toHaveLength(3);
      for (const path of added) expect(path).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{32}$/);
      expect(existsSync(join(tmpdir(), 'etc', 'passwd.txt'))).toBe(false);
      expect(filesUnder(join(uploadDir, '.incoming'))).toEqual([]);
    });

    it('keeps a unicode name and sends it back in an RFC 5987 Content-Disposition', async () => {
      const name = 'تقرير "الربع" 📄.pdf';
      const a = await files.uploaded(owner, name, PDF);
      expect(a.filename).toBe(name);
      const res = await files.fetch(owner, a.url).expect(200);
      const disposition = res.headers['content-disposition'];
      expect(disposition).toMatch(/^attachment; /);
      const encoded = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
      expect(decodeURIComponent(encoded ?? '')).toBe(name);
    });

    it('leaves nothing behind for a refused upload', async () => {
      const before = filesUnder(uploadDir);
      expectError(await files.upload(owner, 'cat.png', 'meow'), 415, 'UNSUPPORTED_FILE_TYPE');
      expect(filesUnder(uploadDir)).toEqual(before);
    });
  });

  describe('size limits, while streaming', () => {
    it('cuts a 20 MiB upload off with 413 FILE_TOO_LARGE once past 10 MiB, without holding it', async () => {
      const total = 20 * MiB;
      // What stays reachable: garbage is collected before each sample.
      const retained = () => {
        collectGarbage();
        const m = process.memoryUsage();
        return m.heapUsed + m.arrayBuffers;
      };
      const baseline = retained();
      let peak = baseline;
      const res = await streamUpload(t, owner, 'huge.txt', Buffer.from('text'), total, {
        // A server that buffered the upload would hold megabytes of it by now.
        onEveryMiB: (sent) => {
          if (Math.floor(sent / MiB) % 2 === 0) peak = Math.max(peak, retained());
        },
      });
      peak = Math.max(peak, retained());
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ code: 'FILE_TOO_LARGE', details: { maxBytes: 10 * MiB } });
      // The answer came before the client could send it all, and nobody held the file.
      expect(res.sent).toBeLessThan(total);
      expect(peak - baseline).toBeLessThan(4 * MiB);
    });

    it('limits images to MAX_IMAGE_BYTES (5 MiB) while documents may be larger', async () => {
      const res = await streamUpload(t, owner, 'big.png', png, 6 * MiB);
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ code: 'FILE_TOO_LARGE', details: { maxBytes: 5 * MiB } });
      const doc = Buffer.concat([Buffer.from('x'.repeat(6 * MiB))]);
      expect((await files.uploaded(owner, 'big.txt', doc)).size).toBe(6 * MiB);
    });

    it('keeps the connection usable when the client finished sending a refused upload', async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        // Just over the limit: the client has sent it all by the time the answer comes.
        const refused = await streamUpload(t, owner, 'over.png', png, 5 * MiB + 1000, { agent });
        expect(refused.status).toBe(413);
        const next = await streamUpload(t, owner, 'hello.txt', Buffer.from('hello'), 5, { agent });
        expect(next).toMatchObject({ status: 201, reusedSocket: true });
      } finally {
        agent.destroy();
      }
    });
  });

  describe('images', () => {
    it('strips EXIF (GPS included) by re-encoding, keeping the picture', async () => {
      const original = await picture(640, 480)
        .jpeg()
        .withExif({
          IFD0: { Make: 'SpyCam', Model: 'Tracker 3000' },
          IFD3: {
            GPSLatitudeRef: 'N',
            GPSLatitude: '48/1 51/1 2964/100',
            GPSLongitudeRef: 'E',
            GPSLongitude: '2/1 17/1 4032/100',
          },
        })
        .toBuffer();
      expect((await sharp(original).metadata()).exif?.includes('SpyCam')).toBe(true);
      const a = await files.uploaded(owner, 'trip.jpg', original);
      const stored = (await files.fetch(owner, a.url).expect(200)).body as Buffer;
      const meta = await sharp(stored).metadata();
      expect(meta).toMatchObject({ format: 'jpeg', width: 640, height: 480 });
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(stored.includes('SpyCam')).toBe(false);
      expect(stored.includes('GPS')).toBe(false);
      expect(a.size).toBe(stored.length);
    });

    it('serves a WebP thumbnail of at most 320 px, keeping the aspect ratio', async () => {
      const tall = await files.uploaded(
        owner,
        'tall.png',
        await picture(300, 1000).png().toBuffer(),
      );
      const wide = await files.uploaded(
        owner,
        'wide.webp',
        await picture(800, 600).webp().toBuffer(),
      );
      const small = await files.uploaded(
        owner,
        'small.gif',
        await picture(64, 48).gif().toBuffer(),
      );
      for (const [a, width, height] of [
        [tall, 96, 320],
        [wide, 320, 240],
        [small, 64, 48],
      ] as const) {
        const res = await files.fetch(owner, a.thumbnailUrl!).expect(200);
        expect(res.headers['content-type']).toBe('image/webp');
        expect(res.headers['content-disposition']).toMatch(/^inline; /);
        expect(await sharp(res.body as Buffer).metadata()).toMatchObject({
          format: 'webp',
          width,
          height,
        });
      }
    });

    it('answers 404 for the thumbnail of a document', async () => {
      const a = await files.uploaded(owner, 'report.pdf', PDF);
      expectError(await files.fetch(owner, `${a.url}/thumbnail`), 404, 'NOT_FOUND');
    });
  });

  describe('downloading', () => {
    let pdf: Attachment;
    let image: Attachment;

    beforeAll(async () => {
      pdf = await files.uploaded(owner, 'report.pdf', PDF);
      image = await files.uploaded(owner, 'photo.png', png);
    });

    it('streams the stored bytes with their type, a download disposition and an ETag', async () => {
      const res = await files.fetch(owner, pdf.url).expect(200);
      expect(res.body).toEqual(PDF);
      expect(res.headers).toMatchObject({
        'content-type': 'application/pdf',
        'content-length': String(PDF.length),
        'content-disposition': 'attachment; filename=report.pdf',
        'accept-ranges': 'bytes',
        'x-content-type-options': 'nosniff',
        etag: expect.stringMatching(/^"[0-9a-f]{64}"$/),
      });
    });

    it('shows images inline', async () => {
      const res = await files.fetch(owner, image.url).expect(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers['content-disposition']).toBe('inline; filename=photo.png');
      expect((res.body as Buffer).length).toBe(image.size);
    });

    it('serves text as UTF-8', async () => {
      const text = 'سلام عليكم\n';
      const a = await files.uploaded(owner, 'hello.txt', text);
      const res = await files.fetch(owner, a.url).expect(200);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect((res.body as Buffer).toString('utf8')).toBe(text);
    });

    it('answers 304 without a body when If-None-Match has the ETag', async () => {
      const etag = (await files.fetch(owner, pdf.url).expect(200)).headers.etag;
      const res = await files.fetch(owner, pdf.url, { 'If-None-Match': etag }).expect(304);
      expect(res.headers.etag).toBe(etag);
      expect(res.headers['content-length']).toBeUndefined();
      expect(res.body).toEqual(Buffer.alloc(0));
      await files.fetch(owner, pdf.url, { 'If-None-Match': '"stale"' }).expect(200);
    });

    it('answers a byte range with 206 and Content-Range', async () => {
      const res = await files.fetch(owner, pdf.url, { Range: 'bytes=0-9' }).expect(206);
      expect(res.body).toEqual(PDF.subarray(0, 10));
      expect(res.headers['content-range']).toBe(`bytes 0-9/${PDF.length}`);
      expect(res.headers['content-length']).toBe('10');
      const tail = await files.fetch(owner, pdf.url, { Range: 'bytes=-6' }).expect(206);
      expect(tail.body).toEqual(PDF.subarray(PDF.length - 6));
    });

    it('sends the whole file for several ranges, an unsatisfiable one, or a stale If-Range', async () => {
      const cases: Record<string, string>[] = [
        { Range: 'bytes=0-1,4-5' },
        { Range: `bytes=${PDF.length + 10}-` },
        { Range: 'bytes=0-9', 'If-Range': '"stale"' },
      ];
      for (const headers of cases) {
        const res = await files.fetch(owner, pdf.url, headers).expect(200);
        expect(res.body).toEqual(PDF);
      }
    });

    it('answers 404 for an id that does not exist and 400 for one that is no UUID', async () => {
      const missing = `${API}/attachments/00000000-0000-4000-8000-000000000000`;
      expectError(await files.fetch(owner, missing), 404, 'NOT_FOUND');
      expectError(await files.fetch(owner, `${API}/attachments/abc`), 400, 'VALIDATION_FAILED');
    });
  });

  describe('who may download', () => {
    let group: string;
    let photo: Attachment;
    let late: TestUser;

    beforeAll(async () => {
      [late] = await createJoiningUsers(t, 1);
      group = (await c.group(owner, [peer, member], 'Files')).id;
      photo = await files.uploaded(owner, 'shared.png', png);
    });

    const status = async (user: TestUser, path: string) => (await files.fetch(user, path)).status;

    it('lets only the uploader read an upload no message references yet', async () => {
      expect(await status(owner, photo.url)).toBe(200);
      for (const user of [peer, member, outsider]) {
        const res = await files.fetch(user, photo.url);
        expectError(res, 404, 'NOT_FOUND');
      }
    });

    it('lets the members who see the message read it and its thumbnail, and nobody else', async () => {
      await send(owner, group, { content: 'look', attachmentIds: [photo.id] }).expect(201);
      for (const user of [owner, peer, member]) {
        expect(await status(user, photo.url)).toBe(200);
        expect(await status(user, photo.thumbnailUrl!)).toBe(200);
      }
      expect(await status(outsider, photo.url)).toBe(404);
      expect(await status(outsider, photo.thumbnailUrl!)).toBe(404);
    });

    it('hides it from a member who joined after the message', async () => {
      await call(t, owner, {
        method: 'post',
        path: `/conversations/${group}/participants`,
        body: { userIds: [late.id] },
      }).expect(200);
      expect(await status(late, photo.url)).toBe(404);
    });

    it('hides it from a removed member', async () => {
      await call(t, owner, {
        method: 'delete',
        path: `/conversations/${group}/participants/${member.id}`,
      }).expect(204);
      expect(await status(member, photo.url)).toBe(404);
    });

    it('hides it from a member who deleted the conversation for themselves', async () => {
      await call(t, peer, { method: 'delete', path: `/conversations/${group}` }).expect(204);
      expect(await status(peer, photo.url)).toBe(404);
      expect(await status(owner, photo.url)).toBe(200);
    });

    it('hides it from everyone, the uploader too, once the message is deleted, and removes its bytes', async () => {
      const direct = (await c.direct(owner, peer, 'deleting-files')).id;
      const doomed = await files.uploaded(owner, 'doomed.png', png);
      const keys = (await storedKeys(doomed.id))!;
      const sent = (
        await send(owner, direct, { content: '', attachmentIds: [doomed.id] }).expect(201)
      ).body;
      expect(await status(peer, doomed.url)).toBe(200);
      expect(existsSync(storedPath(keys.storage_key))).toBe(true);

      await call(t, owner, {
        method: 'delete',
        path: `/conversations/${direct}/messages/${sent.id}`,
      }).expect(204);
      for (const user of [owner, peer]) {
        expect(await status(user, doomed.url)).toBe(404);
        expect(await status(user, doomed.thumbnailUrl!)).toBe(404);
      }
      const tombstone = await call(t, peer, {
        method: 'get',
        path: `/conversations/${direct}/messages/${sent.id}`,
      }).expect(200);
      expect(tombstone.body).toMatchObject({ isDeleted: true, attachments: [] });

      await t.app.get(AttachmentsCleanup).run();
      expect(existsSync(storedPath(keys.storage_key))).toBe(false);
      expect(existsSync(storedPath(keys.thumbnail_key!))).toBe(false);
      expect(await storedKeys(doomed.id)).toBeUndefined();
    });
  });

  describe('in messages', () => {
    let direct: string;

    beforeAll(async () => {
      direct = (await c.direct(owner, peer, 'messages-with-files')).id;
    });

    it('writes a burst of replies, flagged sends, sends with files and plain sends together, each whole', async () => {
      const root = (await send(owner, direct, { content: 'the root' }).expect(201)).body;
      const uploads = await Promise.all(
        [0, 1, 2].map((i) => files.uploaded(owner, `burst-${i}.txt`, `file ${i}`, 'text/plain')),
      );
      const taken = await files.uploaded(owner, 'taken.txt', 'taken', 'text/plain');
      await send(owner, direct, { content: 'first owner', attachmentIds: [taken.id] }).expect(201);
      const bodies = [
        { content: 'plain one' },
        { content: 'a reply', replyToMessageId: root.id },
        { content: 'call me 0501234567' },
        { content: 'with a file', attachmentIds: [uploads[0].id] },
        { content: 'a flagged reply: 0501234568', replyToMessageId: root.id },
        {
          content: 'a reply with a file',
          replyToMessageId: root.id,
          attachmentIds: [uploads[1].id],
        },
        { content: 'a file already sent', attachmentIds: [taken.id] },
        { content: 'plain two', attachmentIds: [uploads[2].id] },
      ];
      // sent in one turn, so that they share batches
      const answers = await Promise.all(bodies.map((b) => send(owner, direct, b)));
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201, 422, 201]);
      expect(answers[6].body.code).toBe('INVALID_ATTACHMENT');
      const sent = answers.filter((a) => a.status === 201).map((a) => a.body);
      expect(sent.find((m) => m.content === 'a reply with a file')).toMatchObject({
        threadRootId: root.id,
        attachments: [uploads[1]],
      });
      expect(sent.find((m) => m.content === 'call me 0501234567').moderation).toBe('flagged');
      // the refused send took no seq: the conversation's seqs stay contiguous
      const history = (
        await call(t, owner, { method: 'get', path: `/conversations/${direct}/messages?limit=100` })
      ).body.items as { seq: number }[];
      const seqs = history.map((m) => Number(m.seq)).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => k + 1));
      const rootNow = (
        await call(t, owner, {
          method: 'get',
          path: `/conversations/${direct}/messages/${root.id}`,
        })
      ).body;
      expect(rootNow.replyCount).toBe(3);
      const flagged = await db.query(
        `SELECT count(*)::int AS n FROM moderation_flags WHERE message_id = ANY($1::uuid[])`,
        [sent.map((m) => m.id)],
      );
      expect(flagged[0].n).toBe(2);
    });

    it('makes a message of images an image message, with its attachments in order, content may be empty', async () => {
      const first = await files.uploaded(owner, 'one.png', png);
      const second = await files.uploaded(
        owner,
        'two.jpg',
        await picture(20, 10).jpeg().toBuffer(),
      );
      const res = await send(owner, direct, {
        content: '',
        attachmentIds: [second.id, first.id],
      }).expect(201);
      expect(res.body).toMatchObject({ type: 'image', content: '', attachments: [second, first] });
      const seen = await call(t, peer, {
        method: 'get',
        path: `/conversations/${direct}/messages/${res.body.id}`,
      }).expect(200);
      expect(seen.body.attachments).toEqual([second, first]);
      const history = await c.history(peer, direct, '?limit=1');
      expect(history[0].attachments).toEqual([second, first]);
    });

    it('makes a message with any other file a file message', async () => {
      const image = await files.uploaded(owner, 'pic.gif', await picture(8, 8).gif().toBuffer());
      const doc = await files.uploaded(owner, 'spec.docx', DOCX);
      const res = await send(owner, direct, {
        content: 'the spec',
        attachmentIds: [image.id, doc.id],
      }).expect(201);
      expect(res.body.type).toBe('file');
      expect(res.body.attachments.map((a: Attachment) => a.id)).toEqual([image.id, doc.id]);
    });

    it('keeps a message without attachments a text message', async () => {
      expect((await send(owner, direct, { content: 'just words' }).expect(201)).body).toMatchObject(
        { type: 'text', attachments: [] },
      );
    });

    it('sends attachments through POST /messages to a recipient', async () => {
      const doc = await files.uploaded(owner, 'terms.pdf', PDF);
      const res = await call(t, owner, {
        method: 'post',
        path: '/messages',
        body: { recipientId: peer.id, content: 'terms', attachmentIds: [doc.id] },
      }).expect(201);
      expect(res.body).toMatchObject({ type: 'file', attachments: [doc] });
    });

    it("refuses someone else's upload with 422 INVALID_ATTACHMENT naming it, storing nothing", async () => {
      const theirs = await files.uploaded(owner, 'mine.pdf', PDF);
      const before = await lastSeq(direct);
      const res = await send(peer, direct, { content: 'stolen', attachmentIds: [theirs.id] });
      expectError(res, 422, 'INVALID_ATTACHMENT');
      expect(res.body.details).toEqual({ attachmentIds: [theirs.id] });
      expect(await lastSeq(direct)).toBe(before);
      expect((await files.fetch(peer, theirs.url)).status).toBe(404);
    });

    it('refuses an upload another message already uses, and the same id twice', async () => {
      const a = await files.uploaded(owner, 'once.pdf', PDF);
      const fresh = await files.uploaded(owner, 'fresh.pdf', PDF);
      await send(owner, direct, { content: 'first', attachmentIds: [a.id] }).expect(201);
      const before = await lastSeq(direct);
      const again = await send(owner, direct, {
        content: 'again',
        attachmentIds: [fresh.id, a.id],
      });
      expectError(again, 422, 'INVALID_ATTACHMENT');
      expect(again.body.details).toEqual({ attachmentIds: [a.id] });
      const twice = await send(owner, direct, {
        content: 'x2',
        attachmentIds: [fresh.id, fresh.id],
      });
      expectError(twice, 422, 'INVALID_ATTACHMENT');
      expect(await lastSeq(direct)).toBe(before);
      // The refused sends claimed nothing: the fresh upload can still be sent.
      await send(owner, direct, { content: 'now', attachmentIds: [fresh.id] }).expect(201);
    });

    it('lets only one of two concurrent sends claim an upload', async () => {
      const a = await files.uploaded(owner, 'race.pdf', PDF);
      const before = await lastSeq(direct);
      const [x, y] = await Promise.all([
        send(owner, direct, { content: 'x', attachmentIds: [a.id] }),
        send(owner, direct, { content: 'y', attachmentIds: [a.id] }),
      ]);
      expect([x.status, y.status].sort()).toEqual([201, 422]);
      expect(await lastSeq(direct)).toBe(before + 1);
    });

    it('refuses an unknown id with 422 INVALID_ATTACHMENT and more than 10 with 400', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      expectError(
        await send(owner, direct, { content: 'x', attachmentIds: [unknown] }),
        422,
        'INVALID_ATTACHMENT',
      );
      const many = Array.from({ length: 11 }, () => unknown);
      expectError(
        await send(owner, direct, { content: 'x', attachmentIds: many }),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('refuses attachments where file sharing is off with 403 FILE_SHARING_DISABLED', async () => {
      const closed = await call(t, owner, {
        method: 'post',
        path: '/conversations',
        body: {
          type: 'direct',
          participantIds: [peer.id],
          contextId: 'no-files-here',
          allowFileSharing: false,
        },
      }).expect(201);
      const a = await files.uploaded(owner, 'blocked.pdf', PDF);
      const res = await send(owner, closed.body.id, { content: 'x', attachmentIds: [a.id] });
      expectError(res, 403, 'FILE_SHARING_DISABLED');
      expect(await lastSeq(closed.body.id)).toBe(0);
      await send(owner, direct, { content: 'elsewhere', attachmentIds: [a.id] }).expect(201);
    });
  });

  describe('cleanup', () => {
    it('removes uploads no message claimed within 24 hours, with their bytes', async () => {
      const old = await files.uploaded(owner, 'old.png', png);
      const recent = await files.uploaded(owner, 'recent.png', png);
      const keys = (await storedKeys(old.id))!;
      await db.query(
        `UPDATE attachments SET created_at = now() - interval '25 hours' WHERE id = $1`,
        [old.id],
      );
      await t.app.get(AttachmentsCleanup).run();
      expectError(await files.fetch(owner, old.url), 404, 'NOT_FOUND');
      expect(existsSync(storedPath(keys.storage_key))).toBe(false);
      expect(existsSync(storedPath(keys.thumbnail_key!))).toBe(false);
      expect((await files.fetch(owner, recent.url)).status).toBe(200);
    });

    it('removes the files of messages deleted without their attachments', async () => {
      const direct = (await c.direct(owner, peer, 'cleanup-backstop')).id;
      const a = await files.uploaded(owner, 'kept.pdf', PDF);
      const keys = (await storedKeys(a.id))!;
      const sent = (await send(owner, direct, { content: 'x', attachmentIds: [a.id] }).expect(201))
        .body;
      // As if another path had tombstoned it, leaving its attachments alone.
      await db.query(`UPDATE messages SET deleted_at = now() WHERE id = $1`, [sent.id]);
      await t.app.get(AttachmentsCleanup).run();
      expect(existsSync(storedPath(keys.storage_key))).toBe(false);
      expect(await storedKeys(a.id)).toBeUndefined();
    });
  });
});

describe('attachments in an S3-compatible bucket', () => {
  const BUCKET = 'chat-files';
  let s3rver: S3rver;
  let s3Dir: string;
  let uploadDir: string;
  let t: TestApp;
  let files: ReturnType<typeof attachmentsClient>;
  let s3: S3Client;
  let owner: TestUser;
  let peer: TestUser;

  beforeAll(async () => {
    s3Dir = mkdtempSync(join(tmpdir(), 's3rver-'));
    uploadDir = mkdtempSync(join(tmpdir(), 'attachments-s3-'));
    s3rver = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: s3Dir,
      configureBuckets: [{ name: BUCKET, configs: [] }],
    });
    const { port } = await s3rver.run();
    const endpoint = `http://127.0.0.1:${port}`;
    // s3rver's fixed credentials
    const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    t = await startTestApp({
      UPLOAD_DIR: uploadDir,
      S3_ENDPOINT: endpoint,
      S3_BUCKET: BUCKET,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    });
    s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
    files = attachmentsClient(t);
    [owner, peer] = await createJoiningUsers(t, 2);
  });
  afterAll(async () => {
    await t.close();
    s3.destroy();
    await s3rver.close();
    rmSync(s3Dir, { recursive: true, force: true });
    rmSync(uploadDir, { recursive: true, force: true });
  });

  const objectKeys = async () =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? [])
      .map((o) => o.Key!)
      .sort();

  it('stores uploads as objects under random keys, and nothing on local disk', async () => {
    const before = await objectKeys();
    await files.uploaded(owner, 'photo.png', await picture(640, 480).png().toBuffer());
    await files.uploaded(owner, 'report.pdf', PDF);
    const added = (await objectKeys()).filter((k) => !before.includes(k));
    expect(added).toHaveLength(3);
    for (const key of added) expect(key).toMatch(/^attachments\/[0-9a-f]{32}$/);
    expect(filesUnder(uploadDir)).toEqual([]);
  });

  it('serves the bytes, ranges and thumbnails from the bucket', async () => {
    const doc = await files.uploaded(owner, 'report.pdf', PDF);
    expect((await files.fetch(owner, doc.url).expect(200)).body).toEqual(PDF);
    const part = await files.fetch(owner, doc.url, { Range: 'bytes=5-14' }).expect(206);
    expect(part.body).toEqual(PDF.subarray(5, 15));
    expect(part.headers['content-range']).toBe(`bytes 5-14/${PDF.length}`);
    const image = await files.uploaded(
      owner,
      'photo.webp',
      await picture(800, 600).webp().toBuffer(),
    );
    const thumb = await files.fetch(owner, image.thumbnailUrl!).expect(200);
    expect(await sharp(thumb.body as Buffer).metadata()).toMatchObject({ width: 320, height: 240 });
  });

  it('removes the objects of a deleted message', async () => {
    const conversation = (await chat(t).direct(owner, peer)).id;
    const image = await files.uploaded(owner, 'gone.png', await picture(64, 64).png().toBuffer());
    const before = await objectKeys();
    const sent = await call(t, owner, {
      method: 'post',
      path: `/conversations/${conversation}/messages`,
      body: { content: '', attachmentIds: [image.id] },
    }).expect(201);
    expect((await files.fetch(peer, image.url)).status).toBe(200);
    await call(t, owner, {
      method: 'delete',
      path: `/conversations/${conversation}/messages/${sent.body.id}`,
    }).expect(204);
    await t.app.get(AttachmentsCleanup).run();
    const after = await objectKeys();
    expect(before.length - after.length).toBe(2);
    expect((await files.fetch(owner, image.url)).status).toBe(404);
  });
});
