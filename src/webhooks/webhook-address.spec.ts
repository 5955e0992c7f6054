import {
  assertPublicHost,
  isPublicAddress,
  literalAddress,
  publicOnlyLookup,
} from './webhook-address';

describe('webhook addresses', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '224.0.0.1',
    'not an address',
  ])('%s is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111'])('%s is public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it('reads literal IPs of URL host names, bracketed IPv6 included', () => {
    expect(literalAddress('[::1]')).toBe('::1');
    expect(literalAddress('10.0.0.1')).toBe('10.0.0.1');
    expect(literalAddress('example.com')).toBeNull();
  });

  it('refuses a host name that resolves to loopback', async () => {
    await expect(assertPublicHost('localhost')).rejects.toThrow(/private, loopback/);
  });

  it('refuses loopback in the lookup sockets use (send time)', async () => {
    const err = await new Promise<Error | null>((resolve) =>
      publicOnlyLookup('localhost', { all: true }, (e) => resolve(e)),
    );
    expect(err?.message).toMatch(/localhost resolves to .*loopback/);
  });
});
