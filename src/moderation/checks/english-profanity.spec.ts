import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';
import { fold } from '../normalize';
import { EnglishProfanityMatcher } from './english-profanity';

const obscenity = new RegExpMatcher({
  ...englishDataset.build(),
  ...englishRecommendedTransformers,
});
const matcher = new EnglishProfanityMatcher(englishDataset.build());

const corpus = readFileSync(
  join(__dirname, '..', '..', '..', 'test', 'fixtures', 'moderation', 'corpus.tsv'),
  'utf8',
)
  .split('\n')
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => line.split('\t')[1]);

// Repeats, leetspeak, confusables, whitelisted words, wildcards, surrogates and spacing.
const edgeCases = [
  'fuuuuck',
  'FUCK',
  'fffuck',
  'abbbbo',
  'abbo',
  'booonga',
  'feeellatio',
  'a$$',
  'sh1t',
  '$h!t',
  '5h17',
  'ｆｕｃｋ',
  '🅵🆄🅲🅺',
  'f😀ck',
  'fشck',
  'fuck😀',
  '😀fuck',
  'shit\ud800',
  '\udc00shit\ud800\udc00',
  'f\u200bck',
  'pen is',
  'pen   is',
  'penis',
  'assess the asset',
  'kung fu',
  'kung-fu',
  'fu',
  'trojan al',
  'lan alan al',
  'analog anal',
  'double penetration',
  'double  penetration',
  'Scunthorpe',
  'cocktail',
  'cockpit',
  'shiitake',
  's hit',
  'sex sexy ssex seex',
  "who are whore who're",
  'niggers',
  'fck fk f.ck f ck',
  '',
  ' ',
];

// Deterministic mixtures of the fragments above with English and Arabic chat.
function generated(count: number): string[] {
  const fragments = [
    ...edgeCases,
    'thanks for the update',
    'شكرا على التحديث',
    'the price of 1,250.00 SAR',
    'ass',
    'a',
    's',
    'ss',
    ' ',
    '  ',
    '.',
    '-',
    'l',
    'o',
    'é',
    'İ',
    '😀',
  ];
  let seed = 7;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed;
  };
  return Array.from({ length: count }, () => {
    let text = '';
    for (let k = next() % 12; k >= 0; k--) text += fragments[next() % fragments.length];
    return text;
  });
}

describe('EnglishProfanityMatcher', () => {
  it.each([
    ['every corpus line', corpus],
    ['edge cases of repeats, leetspeak, whitelist, wildcards and surrogates', edgeCases],
    ['generated mixtures', generated(2000)],
  ])('finds what obscenity finds in %s, as written and folded', (_name, texts) => {
    for (const text of texts) {
      for (const input of [text, fold(text).text]) {
        expect([input, matcher.getAllMatches(input)]).toEqual([
          input,
          obscenity.getAllMatches(input, true),
        ]);
      }
    }
  });

  it('finds matches in a long message and none in a clean one', () => {
    const clean = 'Thanks for the update, see you at 10:30. شكرا على التحديث. '.repeat(60);
    expect(matcher.getAllMatches(clean)).toEqual([]);
    const dirty = `${clean}oh shit`;
    expect(matcher.getAllMatches(dirty)).toEqual(obscenity.getAllMatches(dirty, true));
    expect(matcher.getAllMatches(dirty).length).toBeGreaterThan(0);
  });
});
