import { detectLanguage, directionOf } from './language';

describe('directionOf', () => {
  it.each([
    ['hello', 'ltr'],
    ['مرحبا', 'rtl'],
    ['123 مرحبا hello', 'rtl'],
    ['  !! hello مرحبا', 'ltr'],
    ['שלום', 'rtl'],
    ['12345 !?', 'ltr'],
    ['', 'ltr'],
    ['😀 مرحبا', 'rtl'],
  ])('%j is %s', (text, expected) => {
    expect(directionOf(text)).toBe(expected);
  });
});

describe('detectLanguage', () => {
  it.each([
    ['hello there', 'en'],
    ['مرحبا بكم', 'ar'],
    ['مرحبا hi', 'ar'],
    ['hello world يا', 'en'],
    ['١٢٣', 'en'],
    ['', 'en'],
    ['ﻣﺮﺣﺒﺎ', 'ar'],
  ])('%j is %s', (text, expected) => {
    expect(detectLanguage(text)).toBe(expected);
  });
});
