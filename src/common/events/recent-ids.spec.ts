import { RecentIds } from './recent-ids';

describe('RecentIds', () => {
  it('tells a first sight from a repeat, and forgets the oldest beyond its capacity', () => {
    const seen = new RecentIds(2);
    expect(seen.add('a')).toBe(true);
    expect(seen.add('a')).toBe(false);
    expect(seen.add('b')).toBe(true);
    expect(seen.add('c')).toBe(true);
    expect(seen.add('a')).toBe(true);
    expect(seen.add('c')).toBe(false);
    expect(seen.add(undefined)).toBe(true);
  });
});
