/**
 * Recordings as Chromium's MediaRecorder writes them, built from real Opus packets: WebM whose
 * Segment and Clusters have unknown sizes and whose Info has no Duration (the recorder streams
 * the file as it records, so it never goes back to write a size or a length).
 */

/** The packets of an Ogg Opus file: the OpusHead header, then the audio packets. */
export function oggOpusPackets(ogg: Buffer): { head: Buffer; audio: Buffer[] } {
  const packets: Buffer[] = [];
  let partial: Buffer[] = [];
  let at = 0;
  while (at + 27 <= ogg.length) {
    if (ogg.toString('latin1', at, at + 4) !== 'OggS') throw new Error('not an Ogg page');
    const segments = ogg[at + 26];
    let body = at + 27 + segments;
    for (let i = 0; i < segments; i++) {
      const lace = ogg[at + 27 + i];
      partial.push(ogg.subarray(body, body + lace));
      body += lace;
      if (lace < 255) {
        packets.push(Buffer.concat(partial));
        partial = [];
      }
    }
    at = body;
  }
  const [head, , ...audio] = packets;
  if (head?.toString('latin1', 0, 8) !== 'OpusHead') throw new Error('not Ogg Opus');
  return { head, audio };
}

/** An EBML element; `unknownSize` writes the reserved all-ones size of live streams. */
function element(id: number, data: Buffer | Buffer[], unknownSize = false): Buffer {
  const body = Array.isArray(data) ? Buffer.concat(data) : data;
  // An element ID keeps its length marker, so its hex digits come in whole bytes.
  const idBytes = Buffer.from(id.toString(16), 'hex');
  let size: Buffer;
  if (unknownSize) size = Buffer.from('01ffffffffffffff', 'hex');
  else {
    size = Buffer.alloc(8);
    size.writeBigUInt64BE(BigInt(body.length) | (1n << 56n));
  }
  return Buffer.concat([idBytes, size, body]);
}

const uint = (id: number, value: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return element(id, b);
};
const text = (id: number, value: string) => element(id, Buffer.from(value, 'latin1'));
const float = (id: number, value: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(value);
  return element(id, b);
};

/**
 * A WebM recording of `seconds` of audio, in 20 ms Opus packets taken in turn from `audio`,
 * one SimpleBlock each, a new Cluster every second, laid out as Chromium writes it.
 */
export function chromiumWebm(head: Buffer, audio: Buffer[], seconds: number): Buffer {
  const header = element(0x1a45dfa3, [
    uint(0x4286, 1),
    uint(0x42f7, 1),
    uint(0x42f2, 4),
    uint(0x42f3, 8),
    text(0x4282, 'webm'),
    uint(0x4287, 4),
    uint(0x4285, 2),
  ]);
  const info = element(0x1549a966, [
    uint(0x2ad7b1, 1_000_000),
    text(0x4d80, 'Chrome'),
    text(0x5741, 'Chrome'),
  ]);
  const tracks = element(0x1654ae6b, [
    element(0xae, [
      uint(0xd7, 1),
      uint(0x73c5, 12345),
      uint(0x83, 2),
      text(0x86, 'A_OPUS'),
      element(0x63a2, head),
      element(0xe1, [float(0xb5, 48000), uint(0x9f, head[9] || 1)]),
    ]),
  ]);
  const clusters: Buffer[] = [];
  const frames = Math.round((seconds * 1000) / 20);
  for (let first = 0; first < frames; first += 50) {
    const blocks: Buffer[] = [uint(0xe7, first * 20)];
    for (let i = first; i < Math.min(frames, first + 50); i++) {
      const prefix = Buffer.alloc(4);
      prefix[0] = 0x81; // track 1
      prefix.writeInt16BE((i - first) * 20, 1);
      prefix[3] = 0x80; // keyframe
      blocks.push(element(0xa3, Buffer.concat([prefix, audio[i % audio.length]])));
    }
    clusters.push(element(0x1f43b675, blocks, true));
  }
  return Buffer.concat([header, element(0x18538067, [info, tracks, ...clusters], true)]);
}
