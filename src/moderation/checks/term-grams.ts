import { ParsedPattern, SyntaxKind } from 'obscenity';

// Beyond this many distinct characters in the terms the table of triples grows too large to
// clear for every text; every term is then tried, as obscenity does.
const ALPHABET_MAX = 40;

/**
 * Runs of two or three consecutive characters of the terms' literal parts. A term's every match
 * contains the runs of its literal parts (its optional and wildcard parts are left out), so a
 * text that lacks one of them cannot match the term and its expression need not run. Runs of
 * three rule out most of the English terms in ordinary chat; runs of two cover terms whose
 * literal parts are that short ("f?ck": "ck").
 */
export class GramIndex {
  /** per UTF-16 unit: its number among the characters of the terms, 0 if none of them */
  private readonly symbols = new Uint8Array(0x10000);
  /** the number of symbols + 1, or 0 when there are too many */
  private readonly base: number;

  constructor(patterns: ParsedPattern[]) {
    let count = 0;
    for (const run of patterns.flatMap(literalRuns)) {
      for (const unit of run) {
        if (this.symbols[unit] === 0 && count < ALPHABET_MAX) this.symbols[unit] = ++count;
        else if (this.symbols[unit] === 0) count = ALPHABET_MAX + 1;
      }
    }
    this.base = count > ALPHABET_MAX ? 0 : count + 1;
  }

  /** The runs every match of `pattern` contains, by number; none if the index is off. */
  required(pattern: ParsedPattern): number[] {
    if (this.base === 0) return [];
    const grams: number[] = [];
    for (const run of literalRuns(pattern)) {
      const s = run.map((unit) => this.symbols[unit]);
      if (s.length === 2) grams.push(this.gram(0, s[0], s[1]));
      for (let k = 0; k + 3 <= s.length; k++) grams.push(this.gram(s[k], s[k + 1], s[k + 2]));
    }
    return grams;
  }

  /** Per run number, 1 if `text` holds the run. */
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

  /** A pair is numbered as a triple whose first symbol is 0, which no real triple has. */
  private gram(a: number, b: number, c: number): number {
    return (a * this.base + b) * this.base + c;
  }
}

/** Runs of the pattern's literal characters that every match has side by side, as BMP units. */
function literalRuns(pattern: ParsedPattern): number[][] {
  const runs: number[][] = [[]];
  for (const node of pattern.nodes) {
    if (node.kind !== SyntaxKind.Literal) {
      runs.push([]);
      continue;
    }
    for (const char of node.chars) {
      if (char > 0xffff) runs.push([]);
      else runs[runs.length - 1].push(char);
    }
  }
  return runs.filter((run) => run.length >= 2);
}
