import { baseName, DOCX_MIME, extensionOf, headAgrees, typeForFilename } from './file-types';

describe('baseName', () => {
  it.each([
    ['../../etc/passwd.txt', 'passwd.txt'],
    ['C:\\Users\\me\\Desktop\\report.pdf', 'report.pdf'],
    ['/abs/path/photo.PNG', 'photo.PNG'],
    ['  spaced name.txt  ', 'spaced name.txt'],
    ['tab\tand\nnewline.txt', 'tabandnewline.txt'],
    ['صورة العائلة.jpg', 'صورة العائلة.jpg'],
    ['dir/', ''],
    [undefined, ''],
  ])('turns %j into %j', (input, expected) => {
    expect(baseName(input)).toBe(expected);
  });

  it('cuts a long name to 255 characters and keeps its extension', () => {
    const name = baseName(`${'é'.repeat(300)}.docx`);
    expect([...name]).toHaveLength(255);
    expect(name.endsWith('é.docx')).toBe(true);
  });
});

describe('extensionOf', () => {
  it.each([
    ['a.PNG', 'png'],
    ['archive.tar.gz', 'gz'],
    ['.hidden', null],
    ['noext', null],
    ['trailing.', null],
  ])('reads %j as %j', (name, ext) => {
    expect(extensionOf(name)).toBe(ext);
  });
});

describe('typeForFilename', () => {
  it('maps each accepted extension to its type, whatever its case', () => {
    expect(typeForFilename('a.JPEG')?.mime).toBe('image/jpeg');
    expect(typeForFilename('a.webp')?.kind).toBe('image');
    expect(typeForFilename('a.txt')?.mime).toBe('text/plain');
    expect(typeForFilename('a.doc')?.mime).toBe('application/msword');
    expect(typeForFilename('a.docx')?.mime).toBe(DOCX_MIME);
  });

  it('accepts no other extension, and no name without one', () => {
    for (const name of ['a.exe', 'a.svg', 'a.html', 'a.zip', 'README', '.txt']) {
      expect(typeForFilename(name)).toBeNull();
    }
  });
});

describe('headAgrees', () => {
  const type = (name: string) => typeForFilename(name)!;

  it('wants the exact image or PDF type', () => {
    expect(headAgrees(type('a.png'), 'image/png')).toBe(true);
    expect(headAgrees(type('a.png'), 'image/jpeg')).toBe(false);
    expect(headAgrees(type('a.pdf'), undefined)).toBe(false);
  });

  it('wants text to have no magic number', () => {
    expect(headAgrees(type('a.txt'), undefined)).toBe(true);
    expect(headAgrees(type('a.txt'), 'application/pdf')).toBe(false);
  });

  it('lets a DOCX read as a zip until the whole file is in', () => {
    expect(headAgrees(type('a.docx'), 'application/zip')).toBe(true);
    expect(headAgrees(type('a.docx'), DOCX_MIME)).toBe(true);
    expect(headAgrees(type('a.docx'), 'application/x-cfb')).toBe(false);
  });

  it('wants a DOC to be a compound file', () => {
    expect(headAgrees(type('a.doc'), 'application/x-cfb')).toBe(true);
    expect(headAgrees(type('a.doc'), DOCX_MIME)).toBe(false);
  });
});

describe('voice message types', () => {
  it.each([
    ['memo.ogg', 'audio/ogg'],
    ['memo.opus', 'audio/ogg'],
    ['memo.webm', 'audio/webm'],
    ['memo.m4a', 'audio/mp4'],
    ['memo.mp4', 'audio/mp4'],
    ['memo.mp3', 'audio/mpeg'],
  ])('takes %s as %s audio', (name, mime) => {
    expect(typeForFilename(name)).toMatchObject({ mime, kind: 'audio' });
  });

  it('agrees with what file-type reports for the first bytes of each', () => {
    const type = (name: string) => typeForFilename(name)!;
    expect(headAgrees(type('a.ogg'), 'audio/ogg; codecs=opus')).toBe(true);
    // WebM's first bytes do not tell audio from video: the whole file is read afterwards.
    expect(headAgrees(type('a.webm'), 'video/webm')).toBe(true);
    expect(headAgrees(type('a.m4a'), 'audio/x-m4a')).toBe(true);
    expect(headAgrees(type('a.mp3'), 'audio/mpeg')).toBe(true);
    expect(headAgrees(type('a.mp3'), 'audio/ogg; codecs=opus')).toBe(false);
    expect(headAgrees(type('a.ogg'), undefined)).toBe(false);
  });
});
