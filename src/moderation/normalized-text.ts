import { decodeUtf16 } from './utf16';

/**
 * Text after normalisation that remembers, for every character, the span of the original text
 * it came from. Checks match on the normalised text; masking maps matches back so it hides
 * exactly the offending span of what the user wrote.
 */
export class NormalizedText {
  private constructor(
    readonly text: string,
    /** per UTF-16 unit of `text`: [start, end) in the original */
    private readonly starts: Int32Array,
    private readonly ends: Int32Array,
  ) {}

  static from(original: string): NormalizedText {
    const starts = new Int32Array(original.length);
    const ends = new Int32Array(original.length);
    for (let i = 0; i < original.length; i++) {
      starts[i] = i;
      ends[i] = i + 1;
    }
    return new NormalizedText(original, starts, ends);
  }

  /** For `NormalizedTextBuilder` only: the arrays are taken over, not copied. */
  static of(text: string, starts: Int32Array, ends: Int32Array): NormalizedText {
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
    const outs = matches.map((m) =>
      typeof replacement === 'string' ? replacement : replacement(m[0], ...m.slice(1)),
    );
    let length = this.text.length;
    matches.forEach((m, k) => (length += outs[k].length - m[0].length));
    const starts = new Int32Array(length);
    const ends = new Int32Array(length);
    const parts: string[] = [];
    let last = 0;
    let to = 0;
    matches.forEach((m, k) => {
      const at = m.index;
      // the text between matches keeps its spans
      parts.push(this.text.slice(last, at), outs[k]);
      starts.set(this.starts.subarray(last, at), to);
      ends.set(this.ends.subarray(last, at), to);
      to += at - last;
      // each unit of the replacement stands for the whole match
      starts.fill(this.starts[at], to, to + outs[k].length);
      ends.fill(this.ends[at + m[0].length - 1], to, to + outs[k].length);
      to += outs[k].length;
      last = at + m[0].length;
    });
    parts.push(this.text.slice(last));
    starts.set(this.starts.subarray(last), to);
    ends.set(this.ends.subarray(last), to);
    return new NormalizedText(parts.join(''), starts, ends);
  }

  /** Takes out the units of the given sorted, disjoint ranges [from, to); the rest keep their spans. */
  without(ranges: [number, number][]): NormalizedText {
    if (ranges.length === 0) return this;
    const length = ranges.reduce((n, [from, to]) => n - (to - from), this.text.length);
    const starts = new Int32Array(length);
    const ends = new Int32Array(length);
    const parts: string[] = [];
    let last = 0;
    let to = 0;
    for (const [from, end] of [...ranges, [this.text.length, this.text.length]]) {
      parts.push(this.text.slice(last, from));
      starts.set(this.starts.subarray(last, from), to);
      ends.set(this.ends.subarray(last, from), to);
      to += from - last;
      last = end;
    }
    return new NormalizedText(parts.join(''), starts, ends);
  }

  /** The original span [start, end) behind normalised [from, to). */
  sourceSpan(from: number, to: number): [number, number] {
    if (to <= from) return [this.starts[from] ?? 0, this.starts[from] ?? 0];
    return [this.starts[from], this.ends[to - 1]];
  }
}

/**
 * Builds a `NormalizedText` one UTF-16 unit at a time into typed arrays: no string
 * concatenation or array growth per character, which dominated the cost of long messages.
 */
export class NormalizedTextBuilder {
  private units: Uint16Array;
  private starts: Int32Array;
  private ends: Int32Array;
  private length = 0;

  constructor(expectedLength: number) {
    const capacity = Math.max(16, expectedLength);
    this.units = new Uint16Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
  }

  /** Appends one UTF-16 unit that came from original [start, end). */
  push(unit: number, start: number, end: number): void {
    if (this.length === this.units.length) this.grow();
    this.units[this.length] = unit;
    this.starts[this.length] = start;
    this.ends[this.length] = end;
    this.length++;
  }

  /** Appends every unit of `text`, all from original [start, end). */
  pushString(text: string, start: number, end: number): void {
    for (let k = 0; k < text.length; k++) this.push(text.charCodeAt(k), start, end);
  }

  build(): NormalizedText {
    const length = this.length;
    return NormalizedText.of(
      decodeUtf16(this.units, length),
      this.starts.slice(0, length),
      this.ends.slice(0, length),
    );
  }

  private grow(): void {
    const capacity = this.units.length * 2;
    const units = new Uint16Array(capacity);
    const starts = new Int32Array(capacity);
    const ends = new Int32Array(capacity);
    units.set(this.units);
    starts.set(this.starts);
    ends.set(this.ends);
    this.units = units;
    this.starts = starts;
    this.ends = ends;
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
