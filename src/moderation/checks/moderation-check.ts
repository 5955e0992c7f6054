import type { NormalizedText } from '../normalized-text';

export type CheckName = 'profanity' | 'contact_info';

/** One finding, as a span of the original text. */
export interface CheckHit {
  start: number;
  end: number;
  /** what matched, as written */
  matched: string;
}

/** A moderation check: one job, one method, its own spec. */
export interface ModerationCheck {
  readonly name: CheckName;
  /** `folded` is `fold(text)`, computed once by the pipeline for every check. */
  find(text: string, folded?: NormalizedText): CheckHit[];
}

export function hitsFrom(original: string, spans: [number, number][]): CheckHit[] {
  const seen = new Set<string>();
  const hits: CheckHit[] = [];
  for (const [start, end] of spans) {
    const key = `${start}:${end}`;
    if (end <= start || seen.has(key)) continue;
    seen.add(key);
    hits.push({ start, end, matched: original.slice(start, end) });
  }
  return hits.sort((a, b) => a.start - b.start);
}
