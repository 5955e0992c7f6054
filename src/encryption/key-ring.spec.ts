import { randomBytes } from 'node:crypto';
import {
  DecryptionError,
  generateKeyRingValue,
  KeyRing,
  KeyRingError,
  open,
  parseKeyRing,
  seal,
} from './key-ring';

describe('parseKeyRing', () => {
  it('reads id:base64key pairs, the first being current', () => {
    const value = `${generateKeyRingValue('b')},${generateKeyRingValue('a')}`;
    const ring = new KeyRing(parseKeyRing(value));
    expect(ring.current.id).toBe('b');
    expect(ring.has('a')).toBe(true);
  });

  it.each([
    '',
    'nokey',
    'a:short',
    `a:${randomBytes(32).toString('base64')},a:${randomBytes(32).toString('base64')}`,
  ])('refuses %j with a clear message', (value) => {
    expect(() => parseKeyRing(value)).toThrow(KeyRingError);
  });
});

describe('seal/open', () => {
  const key = randomBytes(32);

  it('round-trips', () => {
    expect(open(key, seal(key, Buffer.from('سلام hello'), 'aad'), 'aad', 'x').toString()).toBe(
      'سلام hello',
    );
  });

  it('refuses a changed byte, another key, or another context instead of returning garbage', () => {
    const sealed = seal(key, Buffer.from('secret'), 'aad');
    const tampered = Buffer.from(sealed);
    tampered[15] ^= 1;
    expect(() => open(key, tampered, 'aad', 'x')).toThrow(DecryptionError);
    expect(() => open(randomBytes(32), sealed, 'aad', 'x')).toThrow(DecryptionError);
    expect(() => open(key, sealed, 'other', 'x')).toThrow(DecryptionError);
  });
});

describe('KeyRing.wrap/unwrap', () => {
  it('unwraps with an old key that is still in the ring', () => {
    const oldRing = new KeyRing(parseKeyRing(generateKeyRingValue('old')));
    const dataKey = randomBytes(32);
    const { masterKeyId, wrapped } = oldRing.wrap(dataKey, 'c1');
    const newRing = new KeyRing([...parseKeyRing(generateKeyRingValue('new')), ...oldRing.keys]);
    expect(newRing.unwrap(masterKeyId, wrapped, 'c1').equals(dataKey)).toBe(true);
  });

  it('fails loudly when the master key is missing', () => {
    const ring = new KeyRing(parseKeyRing(generateKeyRingValue('a')));
    const { wrapped } = ring.wrap(randomBytes(32), 'c1');
    expect(() => ring.unwrap('gone', wrapped, 'c1')).toThrow(/does not hold/);
  });
});
