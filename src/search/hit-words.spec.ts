import { HitWords, LanguageWord, MAX_CACHED_WORDS } from './hit-words';
import { SearchRepository } from './search.repository';

/** Lexemes as the database would make them here: the word lowercased, an English plural cut. */
const lexemeOf = (w: LanguageWord): string[] =>
  w.language === 'en' ? [w.word.toLowerCase().replace(/s$/, '')] : [w.word];

class FakeRepository {
  asked: LanguageWord[][] = [];

  lexemes(terms: string, words: LanguageWord[]): Promise<{ query: string[]; words: string[][] }> {
    this.asked.push(words);
    const query = terms.split(' ').flatMap((word) => lexemeOf({ word, language: 'en' }));
    return Promise.resolve({ query, words: words.map(lexemeOf) });
  }
}

const setup = () => {
  const repository = new FakeRepository();
  return { repository, hitWords: new HitWords(repository as unknown as SearchRepository) };
};

describe('HitWords', () => {
  it('tells the words whose lexemes share one with the query, by language', async () => {
    const { hitWords } = setup();
    const isHit = await hitWords.of('cats', [
      { content: 'Cats and dogs', language: 'en' },
      { content: 'cats', language: 'ar' },
    ]);
    expect(isHit('en', 'Cats')).toBe(true);
    expect(isHit('en', 'dogs')).toBe(false);
    expect(isHit('ar', 'cats')).toBe(false);
  });

  it('leaves out excluded words and "or" of the query', async () => {
    const { hitWords } = setup();
    const isHit = await hitWords.of('cats or -dogs', [{ content: 'cats or dogs', language: 'en' }]);
    expect(['cats', 'or', 'dogs'].map((w) => isHit('en', w))).toEqual([true, false, false]);
  });

  it('asks the database only for words it has not made the lexemes of before', async () => {
    const { hitWords, repository } = setup();
    await hitWords.of('cats', [{ content: 'cats and dogs', language: 'en' }]);
    const isHit = await hitWords.of('dogs', [{ content: 'dogs and birds', language: 'en' }]);
    expect(repository.asked).toEqual([
      [
        { word: 'cats', language: 'en' },
        { word: 'and', language: 'en' },
        { word: 'dogs', language: 'en' },
      ],
      [{ word: 'birds', language: 'en' }],
    ]);
    expect(['dogs', 'and', 'birds'].map((w) => isHit('en', w))).toEqual([true, false, false]);
  });

  it('asks nothing for texts without words', async () => {
    const { hitWords, repository } = setup();
    const isHit = await hitWords.of('cats', [{ content: '… !!', language: 'en' }]);
    expect(isHit('en', 'cats')).toBe(false);
    expect(repository.asked).toEqual([]);
  });

  it(`keeps at most ${MAX_CACHED_WORDS} words, forgetting the oldest first`, async () => {
    const { hitWords, repository } = setup();
    const many = Array.from({ length: MAX_CACHED_WORDS + 1 }, (_, i) => `w${i}`).join(' ');
    await hitWords.of('w1', [{ content: many, language: 'simple' }]);
    await hitWords.of('w1', [{ content: 'w0 w1', language: 'simple' }]);
    expect(repository.asked[1]).toEqual([{ word: 'w0', language: 'simple' }]);
  });
});
