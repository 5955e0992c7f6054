import * as msgpack from 'notepack.io';

/**
 * The Redis adapter's own encoding (MessagePack), except that a node's own broadcasts, which
 * Redis sends back to it like to every node and the adapter then drops, are recognised by
 * their first bytes (`[uid, …` with the node's uid) instead of being decoded whole first.
 */
export class SkipOwnParser {
  private own: Buffer | null = null;
  private uid: string | null = null;

  ownedBy(uid: string): void {
    this.uid = uid;
    // a three-element array, then the uid as a MessagePack string
    this.own = Buffer.concat([Buffer.from([0x93]), msgpack.encode(uid)]);
  }

  encode(value: unknown): Buffer {
    return msgpack.encode(value) as Buffer;
  }

  decode(message: Buffer): unknown {
    const own = this.own;
    if (own && Buffer.isBuffer(message) && own.equals(message.subarray(0, own.length)))
      return [this.uid];
    return msgpack.decode(message);
  }
}
