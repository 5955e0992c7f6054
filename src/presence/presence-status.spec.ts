import { presenceOf } from './presence-status';

describe('presenceOf', () => {
  it('is offline without sockets', () => {
    expect(presenceOf([])).toBe('offline');
  });

  it('is online while any socket is online', () => {
    expect(presenceOf(['away', 'online'])).toBe('online');
    expect(presenceOf(['online'])).toBe('online');
  });

  it('is away when every socket said away', () => {
    expect(presenceOf(['away', 'away'])).toBe('away');
  });
});
