/** A type the service accepts: what the bytes must look like and which names may carry it. */
export interface AllowedType {
  /** what the file is served as */
  mime: string;
  kind: 'image' | 'file' | 'audio';
  /**
   * What `file-type` reports for the first bytes: null for plain text, which has no magic
   * number (its bytes are checked as UTF-8 instead).
   */
  sniffed: string | null;
  /** other reports that agree too (the first bytes of WebM do not tell audio from video) */
  alsoSniffed?: readonly string[];
  extensions: readonly string[];
}

export const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
/** Word 97–2003 files are OLE compound files; which kind of one is told by its streams. */
export const CFB_MIME = 'application/x-cfb';
/** DOCX files are zip archives; the first bytes may not yet show which kind. */
export const ZIP_MIME = 'application/zip';

export const ALLOWED_TYPES: readonly AllowedType[] = [
  { mime: 'image/jpeg', kind: 'image', sniffed: 'image/jpeg', extensions: ['jpg', 'jpeg', 'jpe'] },
  { mime: 'image/png', kind: 'image', sniffed: 'image/png', extensions: ['png'] },
  { mime: 'image/gif', kind: 'image', sniffed: 'image/gif', extensions: ['gif'] },
  { mime: 'image/webp', kind: 'image', sniffed: 'image/webp', extensions: ['webp'] },
  { mime: 'application/pdf', kind: 'file', sniffed: 'application/pdf', extensions: ['pdf'] },
  { mime: 'text/plain', kind: 'file', sniffed: null, extensions: ['txt'] },
  { mime: 'application/msword', kind: 'file', sniffed: CFB_MIME, extensions: ['doc'] },
  { mime: DOCX_MIME, kind: 'file', sniffed: DOCX_MIME, extensions: ['docx'] },
  // Voice messages: the whole recording is read once it is in (container, codec, length).
  {
    mime: 'audio/ogg',
    kind: 'audio',
    sniffed: 'audio/ogg; codecs=opus',
    alsoSniffed: ['audio/opus', 'audio/ogg'],
    extensions: ['ogg', 'oga', 'opus'],
  },
  {
    mime: 'audio/webm',
    kind: 'audio',
    sniffed: 'audio/webm',
    alsoSniffed: ['video/webm'],
    extensions: ['webm', 'weba'],
  },
  {
    mime: 'audio/mp4',
    kind: 'audio',
    sniffed: 'audio/mp4',
    alsoSniffed: ['audio/x-m4a', 'video/mp4'],
    extensions: ['m4a', 'mp4'],
  },
  { mime: 'audio/mpeg', kind: 'audio', sniffed: 'audio/mpeg', extensions: ['mp3'] },
];

/** The extensions that are accepted, as the refusal of another name lists them. */
export const ALLOWED_EXTENSIONS: readonly string[] = ALLOWED_TYPES.map((t) => t.extensions[0]);

/** The extension of a file name, lower-cased, or null when it has none. */
export function extensionOf(filename: string): string | null {
  const match = /\.([^.]+)$/.exec(filename);
  return match && match.index > 0 ? match[1].toLowerCase() : null;
}

/** The type a file name claims, or null when its extension is not one we accept. */
export function typeForFilename(filename: string): AllowedType | null {
  const ext = extensionOf(filename);
  return ext ? (ALLOWED_TYPES.find((t) => t.extensions.includes(ext)) ?? null) : null;
}

/**
 * Whether the type sniffed from the first bytes agrees with the type the name claims. A DOCX
 * may still read as a plain zip here: the whole file is checked once it is in.
 */
export function headAgrees(expected: AllowedType, sniffed: string | undefined): boolean {
  if (expected.sniffed === null) return sniffed === undefined;
  if (expected.mime === DOCX_MIME) return sniffed === DOCX_MIME || sniffed === ZIP_MIME;
  return sniffed === expected.sniffed || (!!sniffed && !!expected.alsoSniffed?.includes(sniffed));
}

/**
 * The base name of what a client called its file: no directories (either slash), no control
 * characters, at most 255 characters (the extension kept).
 */
export function baseName(original: string | undefined): string {
  const last = (original ?? '').split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const clean = last.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  const chars = [...clean];
  if (chars.length <= 255) return clean;
  const ext = extensionOf(clean);
  const tail = ext && ext.length < 20 ? `.${ext}` : '';
  return chars.slice(0, 255 - [...tail].length).join('') + tail;
}
