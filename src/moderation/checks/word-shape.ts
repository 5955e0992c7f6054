/**
 * Whether an English term found inside a longer word makes that word profane (the Scunthorpe
 * problem): "fucking", "shithead", "motherfucker" and "a$$hole" are; "Dickson", "cockpit",
 * "Penistone", "artisanal" and "cryptanalysis" are not.
 *
 * obscenity finds its terms anywhere in a word; its own whitelist covers a few hundred words but
 * not names, places or most of the dictionary. Here a word whose term is the whole word, or is
 * only dressed with an inflection or a profane compound part ("-head", "-hole", "mother-",
 * "bull-", ...), stays profane; a term buried in any other word is taken for the coincidence of
 * letters it is. Words that look inflected but are ordinary ("cumin", "feckless", "rapped",
 * "Cummings") are listed in `ordinary-words.ts`.
 */

/** Endings of a profane word: inflections, slang spellings, and compound parts. */
const INFLECTION = String.raw`(?:s|es|ed|d|e|r|rs|er|ers|ering|in|ins|ing|ings|g|y|ey|ie|ies|ier|iers|iest|ily|iness|inesses|ish|ishly|ishness|ishnesses|ly|ry|ries|ery|eries|a|as|az|z|ez|o|os|io|ios|ity|ities|ism|isms|dom|doms|ling|lings|less|sta|stas|tard|tards)`;
const COMPOUND_AFTER = String.raw`(?:head|hole|face|wit|wad|bag|load|ton|up|of|show|storm|sucker|suck|licker|lick|fest|stain|stick|nut|hat|wipe|clown|bucket|lord|house|list|brain|monkey|got|tit|twat|knob|ass|fuck|shit|cock|dick|cunt|bitch|piss|wank)`;
const PROFANE_AFTER = new RegExp(`^s?(?:${COMPOUND_AFTER}${INFLECTION}?|${INFLECTION})$`);

/** First parts of profane compounds ("motherfucker", "bullshit", "jackass", "sonofabitch"). */
const PROFANE_BEFORE = new Set([
  'mother',
  'muther',
  'mutha',
  'motha',
  'bull',
  'horse',
  'chicken',
  'dip',
  'dumb',
  'ape',
  'boo',
  'bum',
  'mind',
  'head',
  'star',
  'super',
  'out',
  'sonofa',
  'sonova',
  'clever',
  'jack',
  'fat',
  'lame',
  'smart',
  'bad',
  'kick',
  'dog',
  'holy',
  'half',
  'wise',
  'tight',
  'bat',
  'rat',
  'cluster',
  'butt',
  'god',
  'dirt',
  'pig',
  'gang',
  'hard',
  'dick',
  'ass',
  'cock',
  'shit',
  'fuck',
  'cunt',
  'bitch',
  'piss',
  'twat',
  'wank',
  'douche',
  'numb',
  'thunder',
  'skull',
  'cum',
  'jizz',
  'cyber',
]);

// Leetspeak in the rest of the word (the term itself was matched through it already).
const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
};
const deleet = (part: string): string => part.replace(/[013457@$]/g, (c) => LEET[c]);
/** Runs of one letter to one: "shitty" → "shity", "fuuuck" → "fuck". */
const collapse = (part: string): string => part.replace(/(.)\1+/gu, '$1');
const PROFANE_BEFORE_COLLAPSED = new Set([...PROFANE_BEFORE].map(collapse));

/**
 * True when the word made of `before` + the matched term + `after` (as the user wrote it, folded)
 * is a profane word rather than an ordinary word that happens to contain the term.
 * `isProfane(part)` tells whether a part is itself profane (a compound of two terms).
 */
export function profaneShape(
  before: string,
  term: string,
  after: string,
  isProfane: (part: string) => boolean,
): boolean {
  if (!before && !after) return true;
  const head = deleet(before);
  const tail = deleet(after);
  const termEnd = collapse(deleet(term)).slice(-1);
  const collapsedTail = collapse(tail);
  const tails = [
    tail,
    collapsedTail,
    // "shitty", "fagged": the doubled last letter of the term belongs to the ending
    collapsedTail.startsWith(termEnd) ? collapsedTail.slice(1) : collapsedTail,
    tail.startsWith(termEnd) ? tail.slice(1) : tail,
  ];
  // "cocksucker": the term's optional plural ("cocks") took the first letter of the ending
  if (termEnd === 's') tails.push(`s${tail}`);
  const headOk =
    head === '' ||
    PROFANE_BEFORE.has(head) ||
    PROFANE_BEFORE_COLLAPSED.has(collapse(head)) ||
    isProfane(before);
  return headOk && (tails.some((t) => t === '' || PROFANE_AFTER.test(t)) || isProfane(after));
}
