import { fold } from './normalize';
import { maskSpans, NormalizedText } from './normalized-text';

describe('fold', () => {
  it('folds case, accents, full-width letters and invisible characters', () => {
    expect(fold('ＦüＣ\u200bK').text).toBe('fuck');
  });

  it('folds Arabic diacritics, tatweel, letter variants and Eastern digits', () => {
    expect(fold('أَحْمَـد إلى مدرسة ٠١٢ ۳').text).toBe('احمد الي مدرسه 012 3');
  });

  it('maps every normalised character back to its original span', () => {
    const n = fold('xx ｆｕｃｋ yy');
    const at = n.text.indexOf('fuck');
    expect(n.sourceSpan(at, at + 4)).toEqual([3, 7]);
  });
});

describe('NormalizedText.replace', () => {
  it('gives a replacement the span of what it replaced', () => {
    const n = NormalizedText.from('john (at) mail').replace(/\s*\(at\)\s*/g, '@');
    expect(n.text).toBe('john@mail');
    expect(n.sourceSpan(0, n.text.length)).toEqual([0, 14]);
  });
});

describe('NormalizedText.without', () => {
  it('takes out ranges, every other unit keeping its own span', () => {
    const n = NormalizedText.from('a f.u.c.k!').without([
      [3, 4],
      [5, 6],
      [7, 8],
    ]);
    expect(n.text).toBe('a fuck!');
    expect(n.sourceSpan(2, 6)).toEqual([2, 9]);
    expect(n.sourceSpan(3, 4)).toEqual([4, 5]);
    expect(n.sourceSpan(6, 7)).toEqual([9, 10]);
  });
});

describe('maskSpans', () => {
  it('merges overlapping spans and keeps the rest', () => {
    expect(
      maskSpans('abcdefgh', [
        [1, 3],
        [2, 5],
        [6, 7],
      ]),
    ).toBe('a***f***h');
  });
});
