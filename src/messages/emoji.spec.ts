import { isSingleEmoji } from './emoji';

describe('isSingleEmoji', () => {
  it.each(['👍', '👍🏽', '❤️', '👨‍👩‍👧', '🇸🇦', '1️⃣'])('accepts %s', (e) => {
    expect(isSingleEmoji(e)).toBe(true);
  });

  it.each(['', 'a', '👍👍', ':)', '👍 ', 'ok'])('refuses %j', (e) => {
    expect(isSingleEmoji(e)).toBe(false);
  });
});
