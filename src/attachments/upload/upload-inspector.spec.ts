import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../common/errors/app-error';
import { typeForFilename } from './file-types';
import { UploadInspector } from './upload-inspector';

/** Streams `chunks` through an inspector for `filename`; resolves with what came out. */
async function inspect(filename: string, chunks: Buffer[], maxBytes = 1024 * 1024) {
  const inspector = new UploadInspector(typeForFilename(filename)!, maxBytes);
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    inspector,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk);
        callback();
      },
    }),
  );
  return { bytes: Buffer.concat(out), inspector };
}

const refusal = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
};

const CFB_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
/** A compound file: its magic number, padding, and `name` in UTF-16LE as its directory has it. */
const compoundFile = (name: string) =>
  Buffer.concat([CFB_MAGIC, Buffer.alloc(5000), Buffer.from(name, 'utf16le'), Buffer.alloc(100)]);

describe('UploadInspector', () => {
  it('passes the bytes through unchanged, counted and hashed', async () => {
    const chunks = [Buffer.from('héllo '), Buffer.from('wörld\n')];
    const { bytes, inspector } = await inspect('a.txt', chunks);
    expect(bytes).toEqual(Buffer.concat(chunks));
    expect(inspector.bytes).toBe(bytes.length);
    expect(inspector.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts a UTF-8 character split across chunks', async () => {
    const text = Buffer.from('مرحبا');
    await expect(inspect('a.txt', [text.subarray(0, 3), text.subarray(3)])).resolves.toBeTruthy();
  });

  it('refuses text that ends inside a character', async () => {
    const err = await refusal(inspect('a.txt', [Buffer.from('ok'), Buffer.from([0xd9])]));
    expect(err.code).toBe('UNSUPPORTED_FILE_TYPE');
  });

  it('refuses as soon as the bytes pass the limit', async () => {
    const err = await refusal(
      inspect('a.txt', [Buffer.alloc(600, 'a'), Buffer.alloc(600, 'a')], 1000),
    );
    expect(err).toMatchObject({ code: 'FILE_TOO_LARGE', details: { maxBytes: 1000 } });
  });

  it('accepts a Word 97 compound file, its WordDocument stream named across a chunk edge', async () => {
    const doc = compoundFile('WordDocument');
    const edge = 5008 + 7;
    await expect(
      inspect('a.doc', [doc.subarray(0, edge), doc.subarray(edge)]),
    ).resolves.toBeTruthy();
  });

  it('refuses a compound file that is no Word document (a spreadsheet) named .doc', async () => {
    const err = await refusal(inspect('a.doc', [compoundFile('Workbook')]));
    expect(err.code).toBe('UNSUPPORTED_FILE_TYPE');
  });

  it('refuses bytes of another type than the name says, from the first chunk', async () => {
    const err = await refusal(inspect('a.pdf', [compoundFile('WordDocument')]));
    expect(err.details).toEqual({
      file: ['the content is application/x-cfb, but the name says application/pdf'],
    });
  });
});
