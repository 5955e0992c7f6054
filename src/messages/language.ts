// Letters of right-to-left scripts: Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic,
// and the Arabic and Hebrew presentation forms.
const RTL_LETTER = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/u;
const ARABIC_LETTER = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/u;
const LETTER = /\p{L}/u;

export type Direction = 'ltr' | 'rtl';

/** `rtl` when the first strong (letter) character belongs to a right-to-left script. */
export function directionOf(text: string): Direction {
  for (const ch of text) {
    if (LETTER.test(ch)) return RTL_LETTER.test(ch) ? 'rtl' : 'ltr';
  }
  return 'ltr';
}

/** `ar` when Arabic letters are the majority of the letters, else `en`. */
export function detectLanguage(text: string): 'ar' | 'en' {
  let letters = 0;
  let arabic = 0;
  for (const ch of text) {
    if (!LETTER.test(ch)) continue;
    letters += 1;
    if (ARABIC_LETTER.test(ch)) arabic += 1;
  }
  return letters > 0 && arabic * 2 > letters ? 'ar' : 'en';
}
