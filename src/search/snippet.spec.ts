import { escapeHtml } from '../common/text/escape-html';
import { buildSnippet, queryTerms, wordsOf } from './snippet';

const hitsOf =
  (...words: string[]) =>
  (word: string): boolean =>
    words.includes(word);

describe('escapeHtml', () => {
  it('escapes the five characters that matter in HTML text and attributes', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;',
    );
  });
});

describe('buildSnippet', () => {
  it('marks each hit word and leaves the rest of a short text whole', () => {
    expect(buildSnippet('See you at the library, ok?', hitsOf('library'))).toBe(
      'See you at the <mark>library</mark>, ok?',
    );
  });

  it('escapes everything but its own marks', () => {
    expect(buildSnippet('<b>bold</b> & <mark>x</mark> bold', hitsOf('bold'))).toBe(
      '&lt;b&gt;<mark>bold</mark>&lt;/b&gt; &amp; &lt;mark&gt;x&lt;/mark&gt; <mark>bold</mark>',
    );
  });

  it('never lets a private-use character or a mark-like text become markup', () => {
    expect(buildSnippet('\uE000x\uE001 </mark><script>', hitsOf('script'))).toBe(
      '\uE000x\uE001 &lt;/mark&gt;&lt;<mark>script</mark>&gt;',
    );
  });

  it('keeps Arabic words whole with their harakat, tatweel and zero-width characters', () => {
    const text = 'ذهبنا إلى المَكْتَبَة ثم الـــبيت\u200c';
    expect(buildSnippet(text, hitsOf('المَكْتَبَة', 'الـــبيت\u200c'))).toBe(
      'ذهبنا إلى <mark>المَكْتَبَة</mark> ثم <mark>الـــبيت\u200c</mark>',
    );
  });

  it('cuts a long text to the words around the hits, with … where it was cut', () => {
    const words = Array.from({ length: 100 }, (_, i) => `w${i}`);
    const snippet = buildSnippet(words.join(' '), hitsOf('w50'), 10);
    expect(snippet).toBe('… w46 w47 w48 w49 <mark>w50</mark> w51 w52 w53 w54 w55 …');
  });

  it('shows the window with the most hits', () => {
    const words = Array.from({ length: 100 }, (_, i) => `w${i}`);
    const snippet = buildSnippet(words.join(' '), hitsOf('w10', 'w80', 'w82', 'w84'), 10);
    expect(snippet).toBe(
      '… w76 w77 w78 w79 <mark>w80</mark> w81 <mark>w82</mark> w83 <mark>w84</mark> w85 …',
    );
  });

  it('starts at the beginning and ends at the end without …', () => {
    const words = Array.from({ length: 20 }, (_, i) => `w${i}`);
    expect(buildSnippet(`«${words.join(' ')}»`, hitsOf('w1'), 5)).toBe(
      '«w0 <mark>w1</mark> w2 w3 w4 …',
    );
    expect(buildSnippet(`«${words.join(' ')}»`, hitsOf('w19'), 5)).toBe(
      '… w15 w16 w17 w18 <mark>w19</mark>»',
    );
  });

  it('shows the start of a long text when no word is marked', () => {
    const words = Array.from({ length: 20 }, (_, i) => `w${i}`);
    expect(buildSnippet(words.join(' '), hitsOf(), 3)).toBe('w0 w1 w2 …');
  });
});

describe('wordsOf', () => {
  it('lists each word once, keeping its marks', () => {
    expect(wordsOf('Hello, hello! مَرحبا 2024 مَرحبا')).toEqual(['Hello', 'hello', 'مَرحبا', '2024']);
  });
});

describe('queryTerms', () => {
  it('drops excluded words and or, keeping the words to mark', () => {
    expect(queryTerms('"big cats" or dogs -mice e-mail')).toBe('"big cats" dogs e-mail');
  });
});
