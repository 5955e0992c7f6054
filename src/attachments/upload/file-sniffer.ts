/** The part of `file-type`'s API this service uses. */
interface FileTypeModule {
  fileTypeFromBuffer(buffer: Uint8Array): Promise<{ mime: string } | undefined>;
  fileTypeFromFile(path: string): Promise<{ mime: string } | undefined>;
}

/**
 * `file-type` is ESM-only and this app is CommonJS. A literal `import()` would be kept by tsc
 * but rewritten into `require()` by SWC under Jest, which cannot require ES modules on Node 20;
 * evaluated, the import reaches Node's (or Jest's) ES module loader in both.
 */
export const importEsm = <T>(specifier: string): Promise<T> =>
  eval(`import(${JSON.stringify(specifier)})`) as Promise<T>;

let loaded: Promise<FileTypeModule> | undefined;
const fileType = (): Promise<FileTypeModule> => (loaded ??= importEsm<FileTypeModule>('file-type'));

/** How many leading bytes the type is sniffed from while the upload streams in. */
export const SNIFF_BYTES = 4100;

/** The MIME type that the bytes show (magic numbers), or undefined when they show none. */
export async function sniffBuffer(head: Buffer): Promise<string | undefined> {
  return (await (await fileType()).fileTypeFromBuffer(head))?.mime;
}

/** The same for a whole file on disk, for formats decided past the first bytes (zip entries). */
export async function sniffFile(path: string): Promise<string | undefined> {
  return (await (await fileType()).fileTypeFromFile(path))?.mime;
}
