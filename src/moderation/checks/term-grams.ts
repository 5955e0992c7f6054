import { ParsedPattern, SyntaxKind } from 'obscenity';

// Beyond this many distinct characters in the terms the table of triples grows too large to
// clear for every text; every term is then tried.
const ALPHABET_MAX = 40;

/**
 * Runs of two or three consecutive characters that every match of a term contains. A text that
 * lacks one of a term's runs cannot match the term, so its search need not run. Runs of three
 * rule out most of the English terms and whitelisted words in ordinary chat; runs of two cover
 * terms whose literal parts are that short ("f?ck": "ck").
 */
export class GramIndex {
  /** per UTF-16 unit: its number among the characters of the terms, 0 if none of them */
  private readonly symbols = new Uint8Array(0x10000);
  /** the number of symbols + 1, or 0 when there are too many */
  private readonly base: number;
  private readonly required: number[][];

  /** `runs[k]`: runs of UTF-16 units that every match of term k contains, in any order. */
  constructor(runs: number[][][]) {
    let count = 0;
    for (const unit of runs.flat(2)) {
      if (this.symbols[unit] === 0) this.symbols[unit] = Math.min(++count, ALPHABET_MAX + 1);
    }
    this.base = count > ALPHABET_MAX ? 0 : count + 1;
    this.required = runs.map((termRuns) => this.gramsOf(termRuns));
  }

  /** Which runs of two or three units `text` holds. */
  present(text: string): Uint8Array {
    if (this.base === 0) return new Uint8Array(0);
    const seen = new Uint8Array(this.base ** 3);
    let a = 0;
    let b = 0;
    for (let i = 0; i < text.length; i++) {
      const c = this.symbols[text.charCodeAt(i)];
      if (c !== 0 && b !== 0) {
        seen[this.gram(0, b, c)] = 1;
        if (a !== 0) seen[this.gram(a, b, c)] = 1;
      }
      a = b;
      b = c;
    }
    return seen;
  }

  /** False when the text whose `present` this is cannot match term k. */
  mayMatch(k: number, present: Uint8Array): boolean {
    return this.required[k].every((gram) => present[gram] === 1);
  }

  private gramsOf(runs: number[][]): number[] {
    if (this.base === 0) return [];
    const grams: number[] = [];
    for (const run of runs) {
      const s = run.map((unit) => this.symbols[unit]);
      if (s.length === 2) grams.push(this.gram(0, s[0], s[1]));
      for (let k = 0; k + 3 <= s.length; k++) grams.push(this.gram(s[k], s[k + 1], s[k + 2]));
    }
    return grams;
  }

  /** A pair is numbered as a triple whose first symbol is 0, which no real triple has. */
  private gram(a: number, b: number, c: number): number {
    return (a * this.base + b) * this.base + c;
  }
}

/**
 * The runs of an obscenity pattern's literal characters that every match has side by side (its
 * optional parts and wildcards end a run), as UTF-16 units.
 */
export function patternRuns(pattern: ParsedPattern): number[][] {
  const runs: number[][] = [[]];
  for (const node of pattern.nodes) {
    if (node.kind !== SyntaxKind.Literal) {
      runs.push([]);
      continue;
    }
    for (const char of node.chars) runs[runs.length - 1].push(...units(String.fromCodePoint(char)));
  }
  return runs;
}

/** A word found with `indexOf` is one run. */
export function wordRuns(word: string): number[][] {
  return [units(word)];
}

function units(text: string): number[] {
  return Array.from({ length: text.length }, (_, k) => text.charCodeAt(k));
}
