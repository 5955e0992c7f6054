import { downloadHeaders, etagMatches, FileFacts, planDownload } from './file-response';

const facts: FileFacts = {
  size: 1000,
  etag: '"abc"',
  contentType: 'image/png',
  filename: 'photo.png',
  inline: true,
};

describe('planDownload', () => {
  it('answers 200 with no conditions', () => {
    expect(planDownload(facts, {})).toEqual({ status: 200 });
  });

  it('answers 304 when If-None-Match names the tag, weak or strong, or is *', () => {
    for (const ifNoneMatch of ['"abc"', 'W/"abc"', '"x", "abc"', '*']) {
      expect(planDownload(facts, { ifNoneMatch })).toEqual({ status: 304 });
    }
    expect(planDownload(facts, { ifNoneMatch: '"other"' })).toEqual({ status: 200 });
  });

  it('answers 206 for one satisfiable range', () => {
    expect(planDownload(facts, { range: 'bytes=0-99' })).toEqual({
      status: 206,
      range: { start: 0, end: 99 },
    });
    expect(planDownload(facts, { range: 'bytes=-10' })).toEqual({
      status: 206,
      range: { start: 990, end: 999 },
    });
    expect(planDownload(facts, { range: 'bytes=900-5000' })).toEqual({
      status: 206,
      range: { start: 900, end: 999 },
    });
  });

  it('sends the whole file for several, unsatisfiable or malformed ranges', () => {
    for (const range of ['bytes=0-1,5-6', 'bytes=2000-3000', 'bytes=abc', 'items=0-1']) {
      expect(planDownload(facts, { range })).toEqual({ status: 200 });
    }
  });

  it('honours If-Range only when it names these bytes', () => {
    expect(planDownload(facts, { range: 'bytes=0-1', ifRange: '"abc"' }).status).toBe(206);
    expect(planDownload(facts, { range: 'bytes=0-1', ifRange: '"old"' }).status).toBe(200);
  });
});

describe('etagMatches', () => {
  it('compares opaque tags', () => {
    expect(etagMatches(' W/"abc" ', '"abc"')).toBe(true);
    expect(etagMatches('"abcd"', '"abc"')).toBe(false);
  });
});

describe('downloadHeaders', () => {
  it('describes a range', () => {
    expect(downloadHeaders(facts, { status: 206, range: { start: 10, end: 19 } })).toMatchObject({
      'Content-Range': 'bytes 10-19/1000',
      'Content-Length': '10',
      'Accept-Ranges': 'bytes',
      ETag: '"abc"',
    });
  });

  it('shows images inline and saves other files, with an RFC 5987 name for unicode', () => {
    expect(downloadHeaders(facts, { status: 200 })['Content-Disposition']).toBe(
      'inline; filename=photo.png',
    );
    const doc = { ...facts, inline: false, contentType: 'application/pdf', filename: 'تقرير.pdf' };
    const header = downloadHeaders(doc, { status: 200 })['Content-Disposition'];
    expect(header).toMatch(/^attachment; filename="\?+\.pdf"; /);
    expect(header).toContain(`filename*=UTF-8''${encodeURIComponent('تقرير.pdf')}`);
  });

  it('serves text as UTF-8', () => {
    const txt = { ...facts, contentType: 'text/plain' };
    expect(downloadHeaders(txt, { status: 200 })['Content-Type']).toBe('text/plain; charset=utf-8');
  });

  it('sends no body headers with a 304', () => {
    expect(Object.keys(downloadHeaders(facts, { status: 304 })).sort()).toEqual([
      'Cache-Control',
      'Content-Security-Policy',
      'ETag',
      'X-Content-Type-Options',
    ]);
  });
});
