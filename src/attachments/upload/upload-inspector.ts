import { createHash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';
import { AppError } from '../../common/errors/app-error';
import { AllowedType, CFB_MIME, headAgrees } from './file-types';
import { SNIFF_BYTES, sniffBuffer } from './file-sniffer';

export const unsupported = (reason: string): AppError =>
  new AppError('UNSUPPORTED_FILE_TYPE', { file: [reason] });

/** The stream every Word 97–2003 compound file has, named in UTF-16LE in its directory. */
const WORD_DOCUMENT = Buffer.from('WordDocument', 'utf16le');
/** C0 control characters other than tab, line feed, vertical tab, form feed and carriage return. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const TEXT_CONTROL = /[\u0000-\u0008\u000e-\u001f]/;

/**
 * Checks an upload while it streams through, so that a bad one is refused before it is read
 * to the end: the size against the limit of the type the name claims, the first bytes against
 * that type, text as UTF-8 as it arrives. Nothing but the first few KiB is ever held.
 */
export class UploadInspector extends Transform {
  /** bytes seen so far */
  bytes = 0;
  /** hex SHA-256 of all the bytes, once the stream has ended */
  sha256 = '';
  private readonly hash = createHash('sha256');
  private readonly text: TextDecoder | null;
  private head: Buffer[] = [];
  private headBytes = 0;
  private sniffed = false;
  private wordDocument = false;
  private tail = Buffer.alloc(0);

  constructor(
    private readonly expected: AllowedType,
    private readonly maxBytes: number,
  ) {
    super();
    this.text = expected.sniffed === null ? new TextDecoder('utf-8', { fatal: true }) : null;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.inspect(chunk);
    } catch (err) {
      return callback(err as Error);
    }
    if (this.sniffed) return callback(null, chunk);
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes < SNIFF_BYTES) return callback();
    this.releaseHead(callback);
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.finish();
    } catch (err) {
      return callback(err as Error);
    }
    if (this.sniffed) return callback();
    this.releaseHead(callback);
  }

  private inspect(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes)
      throw new AppError('FILE_TOO_LARGE', { maxBytes: this.maxBytes });
    this.hash.update(chunk);
    if (this.text) this.checkText(() => this.text!.decode(chunk, { stream: true }));
    if (this.expected.sniffed === CFB_MIME && !this.wordDocument) this.scanForWordDocument(chunk);
  }

  private finish(): void {
    if (this.bytes === 0) throw unsupported('the file is empty');
    if (this.text) this.checkText(() => this.text!.decode());
    if (this.expected.sniffed === CFB_MIME && !this.wordDocument)
      throw unsupported('the file is not a Word document');
    this.sha256 = this.hash.digest('hex');
  }

  private checkText(decode: () => string): void {
    let text: string;
    try {
      text = decode();
    } catch {
      throw unsupported('the text is not valid UTF-8');
    }
    if (TEXT_CONTROL.test(text)) throw unsupported('the text has control characters');
  }

  private scanForWordDocument(chunk: Buffer): void {
    const edge = Buffer.concat([this.tail, chunk.subarray(0, WORD_DOCUMENT.length - 1)]);
    this.wordDocument = edge.includes(WORD_DOCUMENT) || chunk.includes(WORD_DOCUMENT);
    const seen = Buffer.concat([this.tail, chunk.subarray(-(WORD_DOCUMENT.length - 1))]);
    this.tail = seen.subarray(-(WORD_DOCUMENT.length - 1));
  }

  /** Sniffs the first bytes, then lets them through if they agree with the name. */
  private releaseHead(callback: TransformCallback): void {
    this.sniffed = true;
    const head = Buffer.concat(this.head);
    this.head = [];
    sniffBuffer(head).then(
      (mime) => {
        if (headAgrees(this.expected, mime)) return callback(null, head);
        const found = mime ?? 'of no known type';
        callback(unsupported(`the content is ${found}, but the name says ${this.expected.mime}`));
      },
      (err: Error) => callback(err),
    );
  }
}
