/**
 * Text after normalisation that remembers, for every character, the span of the original text
 * it came from. Checks match on the normalised text; masking maps matches back so it hides
 * exactly the offending span of what the user wrote.
 */
export class NormalizedText {
  private constructor(
    readonly text: string,
    /** per UTF-16 unit of `text`: [start, end) in the original */
    private readonly starts: number[],
    private readonly ends: number[],
  ) {}

  static from(original: string): NormalizedText {
    const starts: number[] = [];
    const ends: number[] = [];
    for (let i = 0; i < original.length; i++) {
      starts.push(i);
      ends.push(i + 1);
    }
    return new NormalizedText(original, starts, ends);
  }

  /** Maps each code point (with its source span) to a replacement string. */
  mapCodePoints(fn: (cp: string) => string): NormalizedText {
    let text = '';
    const starts: number[] = [];
    const ends: number[] = [];
    let i = 0;
    for (const cp of this.text) {
      const start = this.starts[i];
      const end = this.ends[i + cp.length - 1];
      const out = fn(cp);
      text += out;
      for (let k = 0; k < out.length; k++) {
        starts.push(start);
        ends.push(end);
      }
      i += cp.length;
    }
    return new NormalizedText(text, starts, ends);
  }

  /** Regex replacement; the replacement inherits the source span of what it replaced. */
  replace(
    pattern: RegExp,
    replacement: string | ((match: string, ...groups: string[]) => string),
  ): NormalizedText {
    const global = pattern.flags.includes('g')
      ? pattern
      : new RegExp(pattern.source, `${pattern.flags}g`);
    const matches = [...this.text.matchAll(global)].filter((m) => m[0].length > 0);
    if (matches.length === 0) return this;
    let text = '';
    const starts: number[] = [];
    const ends: number[] = [];
    let last = 0;
    const copy = (from: number, to: number) => {
      text += this.text.slice(from, to);
      for (let k = from; k < to; k++) {
        starts.push(this.starts[k]);
        ends.push(this.ends[k]);
      }
    };
    for (const m of matches) {
      const at = m.index;
      copy(last, at);
      const out = typeof replacement === 'string' ? replacement : replacement(m[0], ...m.slice(1));
      const start = this.starts[at];
      const end = this.ends[at + m[0].length - 1];
      text += out;
      for (let k = 0; k < out.length; k++) {
        starts.push(start);
        ends.push(end);
      }
      last = at + m[0].length;
    }
    copy(last, this.text.length);
    return new NormalizedText(text, starts, ends);
  }

  /** The original span [start, end) behind normalised [from, to). */
  sourceSpan(from: number, to: number): [number, number] {
    if (to <= from) return [this.starts[from] ?? 0, this.starts[from] ?? 0];
    return [this.starts[from], this.ends[to - 1]];
  }
}

/** Replaces the given spans of `text` with `***`, merging overlaps, keeping everything else. */
export function maskSpans(text: string, spans: [number, number][]): string {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([...span]);
  }
  let out = '';
  let at = 0;
  for (const [start, end] of merged) {
    out += `${text.slice(at, start)}***`;
    at = end;
  }
  return out + text.slice(at);
}
