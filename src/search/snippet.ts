import { escapeHtml } from '../common/text/escape-html';

/** How many words a snippet shows at most, and how many of them come before the first hit. */
export const SNIPPET_WORDS = 30;
const WORDS_BEFORE_HIT = 5;

/**
 * A word: letters with their marks (harakat), digits, and the invisible formatting characters
 * (zero-width joiners, bidi marks) that may sit inside one; everything else separates words.
 */
const WORD = /[\p{L}\p{M}\p{N}\p{Cf}]+/gu;

interface Token {
  text: string;
  isWord: boolean;
}

/** The text cut into words and the separators between them; joined, they give the text back. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const match of text.matchAll(WORD)) {
    if (match.index > last) tokens.push({ text: text.slice(last, match.index), isWord: false });
    tokens.push({ text: match[0], isWord: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) tokens.push({ text: text.slice(last), isWord: false });
  return tokens;
}

/** The distinct words of a text, to ask the database which of them the query hits. */
export function wordsOf(text: string): string[] {
  return [...new Set(text.match(WORD) ?? [])];
}

/**
 * The words of a search query without the `websearch_to_tsquery` syntax: no excluded words
 * (`-word`), no `or`. Quotes and other punctuation separate words anyway.
 */
export function queryTerms(q: string): string {
  return q
    .split(/\s+/)
    .filter((term) => !term.startsWith('-') && term.toLowerCase() !== 'or')
    .join(' ');
}

/** The start (in words) of the window of `size` words that holds the most hits. */
function bestWindow(hits: boolean[], size: number): number {
  let best = { start: 0, count: -1 };
  hits.forEach((hit, i) => {
    if (!hit) return;
    const lead = Math.min(WORDS_BEFORE_HIT, Math.floor((size - 1) / 2));
    const start = Math.max(0, Math.min(i - lead, hits.length - size));
    const count = hits.slice(start, start + size).filter(Boolean).length;
    if (count > best.count) best = { start, count };
  });
  return best.start;
}

/**
 * The part of a message shown with a search hit: the whole text when it is short, else the
 * `maxWords` words around the most hits, with `…` where text was cut. Every hit word is wrapped
 * in `<mark>…</mark>`; everything else is HTML-escaped, so the snippet is safe to render.
 */
export function buildSnippet(
  text: string,
  isHit: (word: string) => boolean,
  maxWords = SNIPPET_WORDS,
): string {
  const tokens = tokenize(text);
  const wordAt = tokens.flatMap((t, i) => (t.isWord ? [i] : []));
  let [first, last] = [0, tokens.length - 1];
  let [before, after] = ['', ''];
  if (wordAt.length > maxWords) {
    const start = bestWindow(
      wordAt.map((i) => isHit(tokens[i].text)),
      maxWords,
    );
    const end = start + maxWords;
    if (start > 0) [first, before] = [wordAt[start], '… '];
    if (end < wordAt.length) [last, after] = [wordAt[end - 1], ' …'];
  }
  const body = tokens
    .slice(first, last + 1)
    .map((t) =>
      t.isWord && isHit(t.text) ? `<mark>${escapeHtml(t.text)}</mark>` : escapeHtml(t.text),
    )
    .join('');
  return before + body + after;
}
