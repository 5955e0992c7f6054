import { englishDataset } from 'obscenity';
import { fold } from '../normalize';
import { NormalizedText } from '../normalized-text';
import { ARABIC_PROFANITY } from './arabic-profanity';
import { EnglishProfanityMatcher } from './english-profanity';
import { CheckHit, hitsFrom, ModerationCheck } from './moderation-check';

// A run of at least three single characters split by spaces or punctuation: "f u c k", "f.u.c.k".
const SPLIT_LETTERS =
  /(?<![\p{L}\p{N}@$])(?:[\p{L}\p{N}@$][\s.\-_*,|/+~]+){2,}[\p{L}\p{N}@$](?![\p{L}\p{N}@$])/gu;
// Its cheap necessary condition: two single characters in a row. SPLIT_LETTERS starts with a
// lookbehind, tried at every position; on long Arabic text that was slow.
const SPLIT_LETTERS_HINT =
  /[\s.\-_*,|/+~][\p{L}\p{N}@$][\s.\-_*,|/+~]+[\p{L}\p{N}@$](?![\p{L}\p{N}@$])/u;
const SEPARATORS = /[\s.\-_*,|/+~]+/gu;
const ARABIC_WORD = /[\u0621-\u064A]+/gu;
// Clitics that attach to an Arabic word: conjunctions, prepositions, the article; pronoun suffixes.
const PREFIXES = ['', 'و', 'ف', 'ب', 'ل', 'ال', 'وال', 'بال', 'فال', 'لل', 'يا'];
const SUFFIXES = ['', 'ك', 'ه', 'ها', 'هم', 'كم', 'ي', 'ين', 'ات', 'ون'];
const NO_PHRASES: number[] = [];

/**
 * English profanity by `obscenity`'s terms and rules (its confusable, leetspeak and repeat
 * handling, and its whitelist against the Scunthorpe problem; see `EnglishProfanityMatcher`),
 * after our own normalisation; Arabic profanity by whole words with their clitics, after Arabic
 * normalisation.
 */
export class ProfanityCheck implements ModerationCheck {
  readonly name = 'profanity' as const;
  private readonly english = new EnglishProfanityMatcher(englishDataset.build());
  /** Every way a single-word term may be written with its clitics (see `addForms`). */
  private readonly arabicForms = new Set<string>();
  private readonly arabicPhrases: string[][] = [];
  /** Indexes into `arabicPhrases` by each form their first word may take (see `matches`). */
  private readonly phrasesByFirstWord = new Map<string, number[]>();

  constructor(arabicTerms: string[] = ARABIC_PROFANITY) {
    for (const term of arabicTerms) {
      const words = fold(term).text.split(/\s+/).filter(Boolean);
      if (words.length === 1) this.addForms(words[0]);
      else if (words.length > 1) this.addPhrase(words);
    }
  }

  find(text: string, folded: NormalizedText = fold(text)): CheckHit[] {
    const view = SPLIT_LETTERS_HINT.test(folded.text)
      ? folded.replace(SPLIT_LETTERS, (run) => run.replace(SEPARATORS, ''))
      : folded;
    const spans: [number, number][] = [];
    for (const m of this.english.getAllMatches(view.text)) {
      spans.push(view.sourceSpan(m.startIndex, m.endIndex + 1));
    }
    spans.push(...this.arabic(view));
    return hitsFrom(text, spans);
  }

  private arabic(view: NormalizedText): [number, number][] {
    const words = [...view.text.matchAll(ARABIC_WORD)].map((m) => ({ word: m[0], at: m.index }));
    const spans: [number, number][] = [];
    words.forEach(({ word, at }, i) => {
      if (this.arabicForms.has(word)) spans.push(view.sourceSpan(at, at + word.length));
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
