import { Injectable } from '@nestjs/common';
import { SearchRepository } from './search.repository';
import { queryTerms, wordsOf } from './snippet';

/** A word of a message's text, with the message's language (which decides its lexemes). */
export interface LanguageWord {
  word: string;
  language: string;
}

/** Whether a word of a text in a language is hit by the query. */
export type IsHit = (language: string, word: string) => boolean;

/** Enough for the distinct words of many pages of hits; about 1–2 MB. */
export const MAX_CACHED_WORDS = 20_000;

const key = (language: string, word: string): string => `${language}\u0000${word}`;

/**
 * Which words of the hits' texts the query hits, for the snippets to mark: the word's lexemes,
 * made as its message's vector is, share one with the query's. A page of 50 hits has hundreds
 * of distinct words, and making a word's lexemes costs the database a few microseconds each
 * (the search migration's normalisation is regular expressions); the words of chat repeat, so
 * each word's lexemes are kept once made. They change only with the search migration's
 * functions, that is with a new release.
 */
@Injectable()
export class HitWords {
  private readonly lexemes = new Map<string, string[]>();

  constructor(private readonly repository: SearchRepository) {}

  async of(q: string, texts: { content: string; language: string }[]): Promise<IsHit> {
    const words = new Map<string, LanguageWord>();
    for (const t of texts) {
      for (const word of wordsOf(t.content))
        words.set(key(t.language, word), { word, language: t.language });
    }
    if (words.size === 0) return () => false;
    const known = new Map<string, string[]>();
    const unknown: LanguageWord[] = [];
    for (const [k, w] of words) {
      const lexemes = this.lexemes.get(k);
      if (lexemes) known.set(k, lexemes);
      else unknown.push(w);
    }
    const found = await this.repository.lexemes(queryTerms(q), unknown);
    unknown.forEach((w, i) => {
      const k = key(w.language, w.word);
      known.set(k, found.words[i]);
      this.keep(k, found.words[i]);
    });
    const query = new Set(found.query);
    const hits = new Set([...known].filter(([, l]) => l.some((x) => query.has(x))).map(([k]) => k));
    return (language, word) => hits.has(key(language, word));
  }

  private keep(k: string, lexemes: string[]): void {
    if (this.lexemes.size >= MAX_CACHED_WORDS)
      this.lexemes.delete(this.lexemes.keys().next().value!);
    this.lexemes.set(k, lexemes);
  }
}
