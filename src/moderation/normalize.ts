import { NormalizedText } from './normalized-text';

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
  const code = cp.codePointAt(0)!;
  // Fast paths for the common scripts; the general path below gives the same result for them.
  if (code < 0x80) return code >= 0x41 && code <= 0x5a ? String.fromCharCode(code + 32) : cp;
  if ((code >= 0x064b && code <= 0x065f) || code === 0x0670 || code === 0x0640) return '';
  if (code >= 0x0621 && code <= 0x064a) return ARABIC_LETTERS[cp] ?? cp;
  if (INVISIBLE.test(cp)) return '';
  let out = '';
  for (const c of cp.normalize('NFKC').toLowerCase().normalize('NFD')) {
    if (COMBINING.test(c) || INVISIBLE.test(c) || c === TATWEEL) continue;
    out += ARABIC_LETTERS[c] ?? asciiDigit(c);
  }
  return out;
}

/**
 * The shared first steps: NFKC (full-width and presentation forms), invisible characters out,
 * case folded, accents and Arabic diacritics out, tatweel out, Arabic letter variants unified,
 * Eastern digits to ASCII.
 */
export function fold(input: string): NormalizedText {
  return NormalizedText.from(input).mapCodePoints(foldCodePoint);
}
