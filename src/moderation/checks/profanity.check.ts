import { englishDataset } from 'obscenity';
import { fold } from '../normalize';
import { NormalizedText } from '../normalized-text';
import { ARABIC_PROFANITY } from './arabic-profanity';
import { EnglishProfanityMatcher } from './english-profanity';
import { CheckHit, hitsFrom, ModerationCheck } from './moderation-check';
import { ORDINARY_WORDS } from './ordinary-words';
import { profaneShape } from './word-shape';

// A run of at least three single characters split by spaces or punctuation: "f u c k", "f.u.c.k".
const SPLIT_LETTERS =
  /(?<![\p{L}\p{N}@$])(?:[\p{L}\p{N}@$][\s.\-_*,|/+~]+){2,}[\p{L}\p{N}@$](?![\p{L}\p{N}@$])/gu;
// Its cheap necessary condition: two single characters in a row. SPLIT_LETTERS starts with a
// lookbehind, tried at every position; on long Arabic text that was slow.
const SPLIT_LETTERS_HINT =
  /[\s.\-_*,|/+~][\p{L}\p{N}@$][\s.\-_*,|/+~]+[\p{L}\p{N}@$](?![\p{L}\p{N}@$])/u;
const SEPARATORS = /[\s.\-_*,|/+~]+/gu;
const SEPARATOR = /[\s.\-_*,|/+~]/u;
const ARABIC_WORD = /[\u0621-\u064A]+/gu;
// Clitics that attach to an Arabic word: conjunctions, prepositions, the article; pronoun suffixes.
const PREFIXES = ['', 'و', 'ف', 'ب', 'ل', 'ال', 'وال', 'بال', 'فال', 'لل', 'يا'];
const SUFFIXES = ['', 'ك', 'ه', 'ها', 'هم', 'كم', 'ي', 'ين', 'ات', 'ون'];
const NO_PHRASES: number[] = [];
// What a word is made of, leetspeak symbols included: "a$$hole" is one word.
const WORD_CHAR = /[\p{L}\p{N}@$]/u;

export interface ProfanityWords {
  /** Arabic terms matched as whole words with their clitics (default: ARABIC_PROFANITY) */
  arabicTerms?: string[];
  /** words never masked, though they hold or are a listed term (MODERATION_ALLOW_WORDS) */
  allow?: readonly string[];
  /** words and phrases always masked, as whole words (MODERATION_DENY_WORDS); deny beats allow */
  deny?: readonly string[];
}

/**
 * English profanity by `obscenity`'s terms and rules (its confusable, leetspeak and repeat
 * handling, and its whitelist against the Scunthorpe problem; see `EnglishProfanityMatcher`),
 * after our own normalisation, kept only where the word it is found in is profane as a whole
 * (`profaneShape`: "fucking" is, "Dickson" is not) and is not an ordinary word that merely looks
 * it (`ORDINARY_WORDS`); Arabic profanity by whole words with their clitics, after Arabic
 * normalisation. The operator's allow list unmasks words, the deny list masks more (whole
 * words, with Arabic clitics).
 */
export class ProfanityCheck implements ModerationCheck {
  readonly name = 'profanity' as const;
  private readonly english = new EnglishProfanityMatcher(englishDataset.build());
  /** Every way a single-word term may be written with its clitics (see `addForms`). */
  private readonly arabicForms = new Set<string>();
  private readonly arabicPhrases: string[][] = [];
  /** Indexes into `arabicPhrases` by each form their first word may take (see `matches`). */
  private readonly phrasesByFirstWord = new Map<string, number[]>();
  /** folded: ordinary words and the operator's allowed ones, never masked */
  private readonly allowed = new Set<string>();
  /** the operator's denied words other than Arabic ones, as whole words; null when none */
  private readonly denied: RegExp | null;

  constructor({ arabicTerms = ARABIC_PROFANITY, allow = [], deny = [] }: ProfanityWords = {}) {
    const deniedWords = new Set(deny.map(foldWord).filter(Boolean));
    for (const word of [...ORDINARY_WORDS, ...allow].map(foldWord)) {
      if (word && !deniedWords.has(word)) this.allowed.add(word);
    }
    const others: string[] = [];
    for (const term of [...arabicTerms, ...deniedWords]) {
      const words = term.split(/\s+/).map(foldWord).filter(Boolean);
      if (!words.every((w) => ARABIC_ONLY.test(w))) others.push(words.join(' '));
      else if (words.length === 1) this.addForms(words[0]);
      else if (words.length > 1) this.addPhrase(words);
    }
    this.denied = others.length
      ? new RegExp(
          `(?<![\\p{L}\\p{N}])(?:${others.map((w) => escapeRegExp(w).replace(/ /g, '\\s+')).join('|')})(?![\\p{L}\\p{N}])`,
          'gu',
        )
      : null;
  }

  find(text: string, folded: NormalizedText = fold(text)): CheckHit[] {
    const view = SPLIT_LETTERS_HINT.test(folded.text) ? joinSpelledOut(folded) : folded;
    const spans: [number, number][] = [];
    for (const m of this.english.getAllMatches(view.text)) {
      if (this.profaneWord(text, view, m.startIndex, m.endIndex + 1)) {
        spans.push(view.sourceSpan(m.startIndex, m.endIndex + 1));
      }
    }
    spans.push(...this.arabic(view));
    if (this.denied) {
      for (const m of view.text.matchAll(this.denied)) {
        spans.push(view.sourceSpan(m.index, m.index + m[0].length));
      }
    }
    return hitsFrom(text, spans);
  }

  /**
   * Whether the English term found at [start, end) of `text` makes a profane word of the word
   * it stands in: not an allowed or ordinary word, and shaped as a profane one (`profaneShape`).
   */
  private profaneWord(original: string, view: NormalizedText, start: number, end: number): boolean {
    const { text } = view;
    // the word ends where the text holds no word character, or where a separator was taken out
    // between two (letters spelled out one by one: "a f.u.c.k" is two words, "mo\u200bther" one)
    const joined = (k: number) =>
      !SEPARATOR.test(original.slice(view.sourceSpan(k - 1, k)[1], view.sourceSpan(k, k + 1)[0]));
    let from = start;
    let to = end;
    while (from > 0 && WORD_CHAR.test(text[from - 1]) && joined(from)) from--;
    while (to < text.length && WORD_CHAR.test(text[to]) && joined(to)) to++;
    if (this.allowed.size && this.allowed.has(text.slice(from, to))) return false;
    return profaneShape(
      text.slice(from, start),
      text.slice(start, end),
      text.slice(end, to),
      (part) =>
        this.english
          .getAllMatches(part)
          .some((m) => m.startIndex === 0 && m.endIndex === part.length - 1),
    );
  }

  private arabic(view: NormalizedText): [number, number][] {
    const words = [...view.text.matchAll(ARABIC_WORD)].map((m) => ({ word: m[0], at: m.index }));
    const spans: [number, number][] = [];
    words.forEach(({ word, at }, i) => {
      if (this.arabicForms.has(word) && !this.allowedArabic(word)) {
        spans.push(view.sourceSpan(at, at + word.length));
      }
      for (const p of this.phrasesByFirstWord.get(word) ?? NO_PHRASES) {
        const phrase = this.arabicPhrases[p];
        const slice = words.slice(i, i + phrase.length);
        if (
          slice.length === phrase.length &&
          slice.every((w, k) => this.matches(w.word, phrase[k], k === 0, k === phrase.length - 1))
        ) {
          const last = slice[slice.length - 1];
          spans.push(view.sourceSpan(at, last.at + last.word.length));
        }
      }
    });
    return spans;
  }

  /** An allowed word, bare or with a clitic prefix ("والجماعة"). */
  private allowedArabic(word: string): boolean {
    return PREFIXES.some((p) => word.startsWith(p) && this.allowed.has(word.slice(p.length)));
  }

  /**
   * A listed term, possibly with clitics. Short terms take no suffix and 2-letter terms no
   * prefix either: "زبون" (customer) and "خولة" (a name) are not insults. All forms are listed
   * up front: one set lookup per word instead of trying every prefix and suffix on it.
   */
  private addForms(stem: string): void {
    for (const prefix of PREFIXES) {
      for (const suffix of SUFFIXES) {
        if ((suffix && stem.length < 4) || (prefix && stem.length < 3)) continue;
        this.arabicForms.add(prefix + stem + suffix);
      }
    }
  }

  private addPhrase(words: string[]): void {
    const p = this.arabicPhrases.push(words) - 1;
    for (const prefix of PREFIXES) {
      const first = prefix + words[0];
      const indexes = this.phrasesByFirstWord.get(first) ?? [];
      if (indexes[indexes.length - 1] !== p) indexes.push(p);
      this.phrasesByFirstWord.set(first, indexes);
    }
  }

  private matches(word: string, term: string, first: boolean, last: boolean): boolean {
    if (word === term) return true;
    if (first && PREFIXES.some((p) => p && word === p + term)) return true;
    return last && SUFFIXES.some((s) => s && word === term + s);
  }
}

const ARABIC_ONLY = /^[\u0621-\u064A]+$/u;

/** A word or phrase of a list, folded as messages are, spaces single. */
function foldWord(word: string): string {
  return fold(word.trim()).text.split(/\s+/).filter(Boolean).join(' ');
}

/** "f.u.c.k" → "fuck": the separators between letters spelled out one by one taken out. */
function joinSpelledOut(folded: NormalizedText): NormalizedText {
  const cut: [number, number][] = [];
  for (const run of folded.text.matchAll(SPLIT_LETTERS)) {
    for (const separator of run[0].matchAll(SEPARATORS)) {
      const from = run.index + separator.index;
      cut.push([from, from + separator[0].length]);
    }
  }
  return folded.without(cut);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
