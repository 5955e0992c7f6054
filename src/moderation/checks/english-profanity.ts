import {
  BlacklistedTerm,
  compareMatchByPositionAndId,
  MatchPayload,
  Node,
  SyntaxKind,
} from 'obscenity';
import { CharacterChain, englishBlacklistChain, englishWhitelistChain } from './character-chain';
import { GramIndex, patternRuns, wordRuns } from './term-grams';

/**
 * What obscenity's `RegExpMatcher.getAllMatches(input, true)` returns with its English preset
 * (`englishDataset` and `englishRecommendedTransformers`), at a fraction of the cost on long
 * messages. obscenity passes every character through its transformers with a string
 * concatenation each, twice (blacklist and whitelist chains), searches the whitelist whether or
 * not anything matched, and runs each of its 119 regular expressions over the whole text; on a
 * 4,000-character message that was more than half of moderation. Here the transformed text is
 * built in typed arrays (`CharacterChain`), a term's expression runs only if the text holds the
 * runs of letters every match of it contains (`GramIndex`), and the whitelist is searched only
 * when a term matched, and then only for the words whose runs the text holds. Matching itself is
 * obscenity's: the same regular expressions over the same transformed text.
 * `english-profanity.spec.ts` holds the two to the same answers.
 */
export class EnglishProfanityMatcher {
  private readonly terms: { id: number; regExp: RegExp }[];
  private readonly termGrams: GramIndex;
  private readonly whitelistedTerms: string[];
  private readonly whitelistGrams: GramIndex;
  private readonly blacklistChain: CharacterChain = englishBlacklistChain();
  private readonly whitelistChain: CharacterChain = englishWhitelistChain();

  constructor({
    blacklistedTerms,
    whitelistedTerms = [],
  }: {
    blacklistedTerms: BlacklistedTerm[];
    whitelistedTerms?: string[];
  }) {
    if (new Set(blacklistedTerms.map((term) => term.id)).size !== blacklistedTerms.length) {
      throw new Error('Duplicate blacklisted term IDs.');
    }
    this.terms = blacklistedTerms.map((term) => ({ id: term.id, regExp: compile(term) }));
    this.termGrams = new GramIndex(blacklistedTerms.map((term) => patternRuns(term.pattern)));
    if (whitelistedTerms.some((term) => term.length === 0)) {
      throw new Error('Whitelisted term set contains empty string; this is unsupported.');
    }
    this.whitelistedTerms = whitelistedTerms;
    this.whitelistGrams = new GramIndex(whitelistedTerms.map(wordRuns));
  }

  /** Matches sorted by position and term id; `endIndex` is inclusive, as in obscenity. */
  getAllMatches(input: string): MatchPayload[] {
    const { text, toOriginal } = this.blacklistChain.apply(input);
    const present = this.termGrams.present(text);
    const matches: MatchPayload[] = [];
    this.terms.forEach((term, k) => {
      if (!this.termGrams.mayMatch(k, present)) return;
      for (const match of text.matchAll(term.regExp)) {
        matches.push({
          termId: term.id,
          startIndex: toOriginal[match.index],
          endIndex: inclusiveEnd(input, toOriginal[match.index + match[0].length - 1]),
          matchLength: [...match[0]].length,
        });
      }
    });
    if (matches.length === 0) return matches;
    const whitelisted = this.whitelistedIntervals(input);
    return matches
      .filter((m) => !whitelisted.some(([from, to]) => from <= m.startIndex && m.endIndex <= to))
      .sort(compareMatchByPositionAndId);
  }

  private whitelistedIntervals(input: string): [number, number][] {
    const { text, toOriginal } = this.whitelistChain.apply(input);
    const present = this.whitelistGrams.present(text);
    const intervals: [number, number][] = [];
    this.whitelistedTerms.forEach((term, k) => {
      if (!this.whitelistGrams.mayMatch(k, present)) return;
      for (let at = text.indexOf(term); at !== -1; at = text.indexOf(term, at + term.length)) {
        intervals.push([toOriginal[at], inclusiveEnd(input, toOriginal[at + term.length - 1])]);
      }
    });
    return intervals;
  }
}

/** obscenity's pattern-to-RegExp compilation. */
function compile({ id, pattern }: BlacklistedTerm): RegExp {
  if (pattern.nodes.every((node) => node.kind === SyntaxKind.Optional)) {
    throw new Error(`Pattern with ID ${id} potentially matches empty string; this is unsupported.`);
  }
  let source = pattern.requireWordBoundaryAtStart ? '\\b' : '';
  for (const node of pattern.nodes) source += nodeSource(node);
  if (pattern.requireWordBoundaryAtEnd) source += '\\b';
  return new RegExp(source, 'gs');
}

function nodeSource(node: Node): string {
  switch (node.kind) {
    case SyntaxKind.Literal:
      return String.fromCodePoint(...node.chars).replace(/[[.*+?^${}()|\\\]]/g, '\\$&');
    case SyntaxKind.Optional:
      return `(?:${nodeSource(node.childNode)})?`;
    case SyntaxKind.Wildcard:
      return '.';
  }
}

/** An inclusive end index that points at a high surrogate takes in its low surrogate. */
function inclusiveEnd(input: string, end: number): number {
  const high = input.charCodeAt(end);
  const low = input.charCodeAt(end + 1);
  const pair = high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
  return end < input.length - 1 && pair ? end + 1 : end;
}
