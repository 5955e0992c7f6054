/**
 * What a WebM file's blocks say about its length, for the recordings that say nothing in their
 * header: Chromium's MediaRecorder streams WebM as it records, so its Segment and Clusters have
 * unknown sizes and its Info has no Duration. Their length is where the last block ends.
 */

const EBML = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const INFO = 0x1549a966;
const CLUSTER = 0x1f43b675;
const BLOCK_GROUP = 0xa0;
const TIMESTAMP_SCALE = 0x2ad7b1;
const DURATION = 0x4489;
const CLUSTER_TIMESTAMP = 0xe7;
const SIMPLE_BLOCK = 0xa3;
const BLOCK = 0xa1;
const BLOCK_DURATION = 0x9b;

/**
 * Masters whose children are read in turn, in one flat pass (their IDs do not collide with the
 * children's of other masters read): a master of unknown size simply ends where the next
 * element that belongs above it begins.
 */
const READ_INTO = new Set([SEGMENT, INFO, CLUSTER, BLOCK_GROUP]);
/** Only these may have an unknown size, as live WebM writers give them. */
const MAY_BE_UNSIZED = new Set([SEGMENT, CLUSTER]);

export class WebmError extends Error {}

interface Vint {
  value: number;
  length: number;
  /** every value bit set: the reserved "unknown size" */
  unknown: boolean;
}

/** An EBML variable-length integer at `at`: an element ID (marker kept) or a size (marker off). */
function readVint(buf: Buffer, at: number, keepMarker: boolean, maxLength: number): Vint {
  if (at >= buf.length) throw new WebmError('the file ends inside an element header');
  const first = buf[at];
  let length = 1;
  while (length <= maxLength && !(first & (0x80 >> (length - 1)))) length++;
  if (length > maxLength) throw new WebmError('an element header is malformed');
  if (at + length > buf.length) throw new WebmError('the file ends inside an element header');
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + buf[at + i];
    if (buf[at + i] !== 0xff) allOnes = false;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

const readUint = (buf: Buffer, at: number, size: number): number => {
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + buf[at + i];
  return value;
};

/** The length of an Opus packet, from its TOC byte (RFC 6716, 3.1), in nanoseconds. */
export function opusPacketNs(packet: Buffer): number {
  if (packet.length === 0) return 0;
  const toc = packet[0];
  const config = toc >> 3;
  const frameUs =
    config < 12
      ? [10_000, 20_000, 40_000, 60_000][config % 4]
      : config < 16
        ? [10_000, 20_000][config % 2]
        : [2_500, 5_000, 10_000, 20_000][config % 4];
  const code = toc & 3;
  const frames = code === 0 ? 1 : code < 3 ? 2 : packet.length > 1 ? packet[1] & 0x3f : 0;
  return frameUs * frames * 1000;
}

export interface WebmTiming {
  /** the Info's Duration, when the header has one */
  headerMs: number | null;
  /** where the last block ends, null when there is no block */
  blocksMs: number | null;
  /** where the first Cluster starts (the end of the file when there is none) */
  firstClusterAt: number;
}

/**
 * Reads a whole WebM file's timing from its elements. Throws `WebmError` when the bytes are not
 * EBML, or the file ends inside an element (a truncated recording).
 */
export function webmTiming(buf: Buffer): WebmTiming {
  let scaleNs = 1_000_000;
  let headerDuration: number | null = null;
  let clusterTs = 0;
  let endNs: number | null = null;
  let pendingBlockNs: number | null = null;
  const finishBlock = (durationNs: number | null) => {
    if (pendingBlockNs === null) return;
    const end = pendingBlockNs + (durationNs ?? 0);
    endNs = endNs === null ? end : Math.max(endNs, end);
    pendingBlockNs = null;
  };

  let firstClusterAt: number | null = null;
  let at = 0;
  let first = true;
  while (at < buf.length) {
    const id = readVint(buf, at, true, 4);
    const size = readVint(buf, at + id.length, false, 8);
    const dataAt = at + id.length + size.length;
    if (first && id.value !== EBML) throw new WebmError('the file does not start with EBML');
    first = false;
    if (size.unknown && !MAY_BE_UNSIZED.has(id.value)) {
      throw new WebmError('an element of unknown size cannot be read');
    }
    if (!size.unknown && dataAt + size.value > buf.length) {
      throw new WebmError('the file ends inside an element: it is truncated');
    }
    if (id.value === CLUSTER) firstClusterAt ??= at;
    if (READ_INTO.has(id.value)) {
      at = dataAt;
      continue;
    }
    const data = buf.subarray(dataAt, dataAt + size.value);
    switch (id.value) {
      case TIMESTAMP_SCALE:
        scaleNs = readUint(data, 0, data.length) || scaleNs;
        break;
      case DURATION:
        if (data.length === 4) headerDuration = data.readFloatBE(0);
        else if (data.length === 8) headerDuration = data.readDoubleBE(0);
        break;
      case CLUSTER_TIMESTAMP:
        clusterTs = readUint(data, 0, data.length);
        break;
      case SIMPLE_BLOCK:
      case BLOCK: {
        finishBlock(null);
        const track = readVint(data, 0, false, 8);
        if (data.length < track.length + 3) throw new WebmError('a block is malformed');
        const relative = data.readInt16BE(track.length);
        const laced = (data[track.length + 2] & 0x06) !== 0;
        const payload = data.subarray(track.length + 3);
        pendingBlockNs = (clusterTs + relative) * scaleNs;
        // A SimpleBlock ends when its packet does; a Block may still get a BlockDuration.
        if (id.value === SIMPLE_BLOCK) finishBlock(laced ? 0 : opusPacketNs(payload));
        break;
      }
      case BLOCK_DURATION:
        finishBlock(readUint(data, 0, data.length) * scaleNs);
        break;
      default:
        break;
    }
    at = dataAt + size.value;
  }
  finishBlock(null);
  const toMs = (ns: number | null) => (ns === null ? null : Math.round(ns / 1e6));
  return {
    headerMs: headerDuration === null ? null : toMs(headerDuration * scaleNs),
    blocksMs: toMs(endNs),
    firstClusterAt: firstClusterAt ?? buf.length,
  };
}
