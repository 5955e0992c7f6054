import { englishDataset } from 'obscenity';
import { fold } from '../normalize';
import { NormalizedText } from '../normalized-text';
import { ARABIC_PROFANITY } from './arabic-profanity';
import { EnglishProfanityMatcher } from './english-profanity';
import { CheckHit, hitsFrom, ModerationCheck } from './moderation-check';

// A run of at least three single characters split by spaces or punctuation: "f u c k", "f.u.c.k".
const SPLIT_LETTERS =
  /(?<![\p{L}\p{N}@$])(?:[\p{L}\p{N}@$][\s.\-_*,|/+~]+){2,}[\p{L}\p{N}@$](?![\p{L}\p{N}@$])/gu;
const SEPARATORS = /[\s.\-_*,|/+~]+/gu;
const ARABIC_WORD = /[\u0621-\u064A]+/gu;
// Clitics that attach to an Arabic word: conjunctions, prepositions, the article; pronoun suffixes.
const PREFIXES = ['', 'و', 'ف', 'ب', 'ل', 'ال', 'وال', 'بال', 'فال', 'لل', 'يا'];
const SUFFIXES = ['', 'ك', 'ه', 'ها', 'هم', 'كم', 'ي', 'ين', 'ات', 'ون'];

/**
 * English profanity by `obscenity`'s terms and rules (its confusable, leetspeak and repeat
 * handling, and its whitelist against the Scunthorpe problem; see `EnglishProfanityMatcher`),
 * after our own normalisation; Arabic profanity by whole words with their clitics, after Arabic
 * normalisation.
 */
export class ProfanityCheck implements ModerationCheck {
  readonly name = 'profanity' as const;
  private readonly english = new EnglishProfanityMatcher(englishDataset.build());
  private readonly arabicSingle = new Set<string>();
  private readonly arabicPhrases: string[][] = [];

  constructor(arabicTerms: string[] = ARABIC_PROFANITY) {
    for (const term of arabicTerms) {
      const words = fold(term).text.split(/\s+/).filter(Boolean);
      if (words.length === 1) this.arabicSingle.add(words[0]);
      else this.arabicPhrases.push(words);
    }
  }

  find(text: string, folded: NormalizedText = fold(text)): CheckHit[] {
    const view = folded.replace(SPLIT_LETTERS, (run) => run.replace(SEPARATORS, ''));
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
      if (this.isTerm(word)) spans.push(view.sourceSpan(at, at + word.length));
      for (const phrase of this.arabicPhrases) {
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
   * The word is a listed term, possibly with clitics. Short terms take no suffix and 2-letter
   * terms no prefix either: "زبون" (customer) and "خولة" (a name) are not insults.
   */
  private isTerm(word: string): boolean {
    for (const prefix of PREFIXES) {
      if (!word.startsWith(prefix)) continue;
      for (const suffix of SUFFIXES) {
        if (!word.endsWith(suffix) || word.length <= prefix.length + suffix.length) continue;
        const stem = word.slice(prefix.length, word.length - suffix.length);
        if (!this.arabicSingle.has(stem)) continue;
        if ((suffix && stem.length < 4) || (prefix && stem.length < 3)) continue;
        return true;
      }
    }
    return false;
  }

  private matches(word: string, term: string, first: boolean, last: boolean): boolean {
    if (word === term) return true;
    if (first && PREFIXES.some((p) => p && word === p + term)) return true;
    return last && SUFFIXES.some((s) => s && word === term + s);
  }
}
