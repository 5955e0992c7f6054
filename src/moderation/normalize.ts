import { NormalizedText, NormalizedTextBuilder } from './normalized-text';

// Zero-width, joiners, bidi controls, soft hyphen, Arabic letter mark.
const INVISIBLE = /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;
const COMBINING = /\p{M}/u;
const TATWEEL = '\u0640';
const ARABIC_LETTERS: Record<string, string> = {
  أ: 'ا',
  إ: 'ا',
  آ: 'ا',
  ٱ: 'ا',
  ى: 'ي',
  ئ: 'ي',
  ؤ: 'و',
  ة: 'ه',
  ک: 'ك',
  ی: 'ي',
};

/** Arabic-Indic (U+0660..) and Persian (U+06F0..) digits to ASCII. */
function asciiDigit(cp: string): string {
  const code = cp.codePointAt(0)!;
  if (code >= 0x0660 && code <= 0x0669) return String(code - 0x0660);
  if (code >= 0x06f0 && code <= 0x06f9) return String(code - 0x06f0);
  return cp;
}

function foldCodePoint(cp: string): string {
  if (INVISIBLE.test(cp)) return '';
  let out = '';
  for (const c of cp.normalize('NFKC').toLowerCase().normalize('NFD')) {
    if (COMBINING.test(c) || INVISIBLE.test(c) || c === TATWEEL) continue;
    out += ARABIC_LETTERS[c] ?? asciiDigit(c);
  }
  return out;
}

// Arabic letters U+0621..U+064A as folded, by code unit: the variants unified, the rest kept.
const ARABIC_FIRST = 0x0621;
const ARABIC_LAST = 0x064a;
const ARABIC_FOLDED = Uint16Array.from({ length: ARABIC_LAST - ARABIC_FIRST + 1 }, (_, k) => {
  const letter = String.fromCharCode(ARABIC_FIRST + k);
  return (ARABIC_LETTERS[letter] ?? letter).charCodeAt(0);
});

// Other characters take the general path once per distinct code point; bounded, since senders
// choose the characters.
const foldedElsewhere = new Map<number, string>();
const FOLDED_ELSEWHERE_MAX = 4096;

function foldOther(cp: string): string {
  const code = cp.codePointAt(0)!;
  let folded = foldedElsewhere.get(code);
  if (folded === undefined) {
    folded = foldCodePoint(cp);
    if (foldedElsewhere.size >= FOLDED_ELSEWHERE_MAX) foldedElsewhere.clear();
    foldedElsewhere.set(code, folded);
  }
  return folded;
}

function isSurrogatePair(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  if (code < 0xd800 || code > 0xdbff || at + 1 >= text.length) return false;
  const next = text.charCodeAt(at + 1);
  return next >= 0xdc00 && next <= 0xdfff;
}

/**
 * The shared first steps: NFKC (full-width and presentation forms), invisible characters out,
 * case folded, accents and Arabic diacritics out, tatweel out, Arabic letter variants unified,
 * Eastern digits to ASCII. ASCII, Arabic letters and diacritics, most of every message, are
 * folded inline by code unit (the general path gives the same for them, slower). Every unit of
 * the result keeps the span of the original code point it came from.
 */
export function fold(input: string): NormalizedText {
  const out = new NormalizedTextBuilder(input.length);
  let i = 0;
  while (i < input.length) {
    const code = input.charCodeAt(i);
    if (code < 0x80) {
      out.push(code >= 0x41 && code <= 0x5a ? code + 32 : code, i, i + 1);
      i++;
    } else if ((code >= 0x064b && code <= 0x065f) || code === 0x0670 || code === 0x0640) {
      i++;
    } else if (code >= ARABIC_FIRST && code <= ARABIC_LAST) {
      out.push(ARABIC_FOLDED[code - ARABIC_FIRST], i, i + 1);
      i++;
    } else {
      const width = isSurrogatePair(input, i) ? 2 : 1;
      out.pushString(foldOther(input.slice(i, i + width)), i, i + width);
      i += width;
    }
  }
  return out.build();
}
