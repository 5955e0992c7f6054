import { CountryCode, findPhoneNumbersInText } from 'libphonenumber-js/max';
import * as linkify from 'linkifyjs';
import { fold } from '../normalize';
import { NormalizedText } from '../normalized-text';
import { CheckHit, hitsFrom, ModerationCheck } from './moderation-check';

/** Countries whose local formats (without +code) are recognised; international ones always are. */
export const PHONE_COUNTRIES: CountryCode[] = [
  'SA',
  'AE',
  'EG',
  'JO',
  'KW',
  'QA',
  'BH',
  'OM',
  'GB',
  'US',
];

const OPEN = String.raw`[\(\[\{<]`;
const CLOSE = String.raw`[\)\]\}>]`;
const DOMAIN_AHEAD = String.raw`(?=[a-z0-9][a-z0-9-]*\s*(?:\.|${OPEN}\s*dot\s*${CLOSE}|\s+dot\s+|نقطه|دوت))`;

/**
 * Spelled-out separators back to `@` and `.`: "john (at) gmail [dot] com", "جون ات gmail نقطه com".
 * Each rewrite runs only where its hint, a cheap necessary condition for it (a part every match
 * contains), is found: the rewrites start with whitespace or a lookbehind, so the engine tries
 * them at every position, which on a long message cost more than all the rest of the check.
 */
const UNSPELL: { hint: RegExp; pattern: RegExp; replacement: string }[] = [
  {
    hint: new RegExp(String.raw`${OPEN}\s*(?:at|@|ات)\s*${CLOSE}`, 'iu'),
    pattern: new RegExp(String.raw`\s*${OPEN}\s*(?:at|@|ات)\s*${CLOSE}\s*`, 'giu'),
    replacement: '@',
  },
  {
    hint: new RegExp(String.raw`${OPEN}\s*(?:dot|\.|نقطه|دوت)\s*${CLOSE}`, 'iu'),
    pattern: new RegExp(String.raw`\s*${OPEN}\s*(?:dot|\.|نقطه|دوت)\s*${CLOSE}\s*`, 'giu'),
    replacement: '.',
  },
  {
    hint: new RegExp(String.raw`\s(?:at|ات)\s+${DOMAIN_AHEAD}`, 'iu'),
    pattern: new RegExp(String.raw`(?<=[a-z0-9._%+-])\s+(?:at|ات)\s+${DOMAIN_AHEAD}`, 'giu'),
    replacement: '@',
  },
  {
    hint: /dot|نقطه|دوت/iu,
    pattern: /(?<=[a-z0-9])\s*(?:\s+dot\s+|نقطه|دوت)\s*(?=[a-z]{2,})/giu,
    replacement: '.',
  },
  {
    hint: /\s@|@\s/u,
    pattern: /(?<=[a-z0-9._%+-])\s+@\s*(?=[a-z0-9])|(?<=[a-z0-9._%+-])\s*@\s+(?=[a-z0-9])/giu,
    replacement: '@',
  },
  {
    hint: /\s\.\s/u,
    pattern: /(?<=[a-z0-9])\s+\.\s+(?=(?:com|net|org|io|co|me|info|sa|ae|eg|uk)\b)/giu,
    replacement: '.',
  },
];

function unspell(view: NormalizedText): NormalizedText {
  return UNSPELL.reduce(
    (current, { hint, pattern, replacement }) =>
      hint.test(current.text) ? current.replace(pattern, replacement) : current,
    view,
  );
}

// A dot or @ between word characters: the least a URL, domain or email needs. The first test
// is the cheap half of the second, which alone is slow on long Arabic text.
const DOT_BEFORE_LETTER = /[.@]\p{L}/u;
const LINK_HINT = /[\p{L}\p{N}_-][.@]\p{L}/u;
// A run that may hold a phone number: 7+ digits with the usual separators around them.
const DIGIT_WINDOW = /\+?[(\d][\d\s().-]{5,}\d/gu;

// Digits split one by one: "0 5 0 1 2 3 4 5 6 7", "0.5.0.1.2.3.4.5.6.7".
const SPLIT_DIGITS = /(?<!\d)\d(?:[\s.\-_]\d){6,}(?!\d)/gu;
// What looks like a number but is not a phone: dates, times, amounts, order/reference numbers.
const DATE_OR_TIME =
  /^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}:\d{2}(?::\d{2})?)$/;
const REFERENCE_BEFORE =
  /(?:#|\b(?:order|invoice|ref|reference|ticket|tracking|shipment|iban|account|acct)\b\.?|رقم الطلب|طلب|فاتوره|الطلب)(?:\s+(?:number|no\.?|num|id|is|was|رقم))*\s*[:#-]?\s*$/iu;
const MONEY_AROUND =
  /(?:[$€£¥]|\b(?:sar|aed|egp|usd|eur|gbp|kwd|qar|riyals?|dirhams?|dollars?)\b|ريال|درهم|جنيه|دولار)/iu;

/**
 * Phone numbers (libphonenumber, international and local formats), emails and URLs or bare
 * domains (linkify, with the real TLD list), after normalisation and un-spelling of
 * separators, so "john at gmail dot com" and Arabic-Indic digits are found too.
 */
export class ContactInfoCheck implements ModerationCheck {
  readonly name = 'contact_info' as const;

  constructor(private readonly countries: CountryCode[] = PHONE_COUNTRIES) {}

  find(text: string, folded: NormalizedText = fold(text)): CheckHit[] {
    const view = unspell(folded);
    const spans: [number, number][] = [];
    // linkify is the costly part: only text with a dot or @ before a letter can hold a link
    if (DOT_BEFORE_LETTER.test(view.text) && LINK_HINT.test(view.text)) {
      for (const link of linkify.find(view.text)) {
        if (link.type === 'url' || link.type === 'email') {
          spans.push(view.sourceSpan(link.start, link.end));
        }
      }
    }
    spans.push(...this.phones(view));
    return hitsFrom(text, spans);
  }

  private phones(base: NormalizedText): [number, number][] {
    const view = base.replace(SPLIT_DIGITS, (run) => run.replace(/[\s.\-_]/g, ''));
    const found = new Map<string, [number, number]>();
    // libphonenumber scans only windows that hold enough digits to be a phone number at all
    for (const window of view.text.matchAll(DIGIT_WINDOW)) {
      const offset = window.index;
      const digits = window[0].replace(/\D/g, '').length;
      if (digits < 7 || digits > 15 || DATE_OR_TIME.test(window[0].trim())) continue;
      const international = window[0].trimStart().startsWith('+');
      for (const country of international ? this.countries.slice(0, 1) : this.countries) {
        for (const hit of findPhoneNumbersInText(window[0], { defaultCountry: country })) {
          if (!hit.number.isValid()) continue;
          const start = offset + hit.startsAt;
          const end = offset + hit.endsAt;
          const raw = view.text.slice(start, end);
          const before = view.text.slice(Math.max(0, start - 24), start);
          const after = view.text.slice(end, end + 12);
          if (DATE_OR_TIME.test(raw.trim()) || REFERENCE_BEFORE.test(before)) continue;
          if (MONEY_AROUND.test(before.slice(-6)) || MONEY_AROUND.test(after.slice(0, 8))) continue;
          found.set(`${start}:${end}`, view.sourceSpan(start, end));
        }
      }
    }
    return [...found.values()];
  }
}
