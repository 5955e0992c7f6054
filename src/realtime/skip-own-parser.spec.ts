import * as msgpack from 'notepack.io';
import { SkipOwnParser } from './skip-own-parser';

describe('SkipOwnParser', () => {
  const packet = { type: 2, data: ['message:new', { text: 'مرحبا' }], nsp: '/messaging' };
  const opts = { rooms: ['user:1'], except: [], flags: {} };

  it("answers only the uid of this node's own broadcasts, without decoding the rest", () => {
    const parser = new SkipOwnParser();
    parser.ownedBy('abc123');
    const decode = jest.spyOn(msgpack, 'decode');
    expect(parser.decode(parser.encode(['abc123', packet, opts]))).toEqual(['abc123']);
    expect(decode).not.toHaveBeenCalled();
    decode.mockRestore();
  });

  it("decodes other nodes' broadcasts and requests whole, as the adapter's own parser does", () => {
    const parser = new SkipOwnParser();
    parser.ownedBy('abc123');
    for (const message of [
      ['abc124', packet, opts],
      ['abc1234', packet, opts],
      { type: 3, requestId: 'abc123', uid: 'abc123' },
    ]) {
      expect(parser.decode(msgpack.encode(message))).toEqual(message);
      expect(parser.encode(message)).toEqual(msgpack.encode(message));
    }
  });

  it('decodes everything before it knows its node', () => {
    const parser = new SkipOwnParser();
    const message = ['abc123', packet, opts];
    expect(parser.decode(msgpack.encode(message))).toEqual(message);
  });
});
