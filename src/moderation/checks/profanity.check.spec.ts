import { maskSpans } from '../normalized-text';
import { ProfanityCheck } from './profanity.check';

const check = new ProfanityCheck();
const mask = (text: string) =>
  maskSpans(
    text,
    check.find(text).map((h): [number, number] => [h.start, h.end]),
  );

describe('ProfanityCheck', () => {
  it.each([
    ['what the fuck', 'what the ***'],
    ['f u c k you', '*** you'],
    ['f.u.c.k off', '*** off'],
    ['fu\u200bck this', '*** this'],
    ['ｆｕｃｋ', '***'],
    ['sh1t happens', '*** happens'],
    ['FUCK', '***'],
  ])('masks %j as %j', (text, expected) => {
    expect(mask(text)).toBe(expected);
  });

  it.each([
    ['يا شرموطة', 'يا ***'],
    ['يا شـرمـوطـة', 'يا ***'],
    ['يا شَرموطة', 'يا ***'],
    ['والقحبة هنا', '*** هنا'],
    ['كس امك', '***'],
  ])('masks Arabic %j as %j, with tatweel, harakat and clitics', (text, expected) => {
    expect(mask(text)).toBe(expected);
  });

  it.each([
    'class assignment',
    'Scunthorpe',
    'the bass player',
    'assassin',
    'زبون جديد',
    'خولة صديقتي',
    'كسر الزجاج',
    'مرحبا كيف حالك',
  ])('leaves the innocent %j alone', (text) => {
    expect(check.find(text)).toEqual([]);
  });

  it('keeps the rest of the text intact, RTL and emoji included', () => {
    expect(mask('😀 مرحبا fuck يا صديقي 👍🏽')).toBe('😀 مرحبا *** يا صديقي 👍🏽');
  });

  it('reports what matched as written', () => {
    expect(check.find('you f.u.c.k').map((h) => h.matched)).toEqual(['f.u.c.k']);
  });
});
