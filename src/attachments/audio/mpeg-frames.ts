/**
 * Walks an MP3 file frame by frame, the way a player would, so that a file whose header is
 * bogus, or that was cut off, is told apart from a playable one (`music-metadata` trusts the
 * first frame's Xing/Info header for the length, however few frames follow).
 */

const BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const SAMPLE_RATES: Record<number, number[]> = {
  3: [44100, 48000, 32000], // MPEG 1
  2: [22050, 24000, 16000], // MPEG 2
  0: [11025, 12000, 8000], // MPEG 2.5
};

/** Tags that may follow the last frame. */
const TRAILERS = ['TAG', 'APETAGEX', 'LYRICS200'].map((t) => Buffer.from(t, 'latin1'));

export class MpegError extends Error {}

/** The length in bytes of the Layer III frame whose header is at `at`, or null if there is none. */
function frameLength(buf: Buffer, at: number): number | null {
  if (at + 4 > buf.length) return null;
  const [b0, b1, b2] = [buf[at], buf[at + 1], buf[at + 2]];
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const version = (b1 >> 3) & 3;
  const layer = (b1 >> 1) & 3;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (version === 1 || layer !== 1 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3)
    return null;
  const v1 = version === 3;
  const bitrate = (v1 ? BITRATES_V1 : BITRATES_V2)[bitrateIndex] * 1000;
  const rate = SAMPLE_RATES[version][rateIndex];
  const padding = (b2 >> 1) & 1;
  return Math.floor(((v1 ? 144 : 72) * bitrate) / rate) + padding;
}

/** Bytes of an ID3v2 tag at the start (header, body and footer), 0 when there is none. */
function id3v2Length(buf: Buffer): number {
  if (buf.length < 10 || buf.toString('latin1', 0, 3) !== 'ID3') return 0;
  const size =
    ((buf[6] & 0x7f) << 21) | ((buf[7] & 0x7f) << 14) | ((buf[8] & 0x7f) << 7) | (buf[9] & 0x7f);
  const footer = buf[5] & 0x10 ? 10 : 0;
  return 10 + size + footer;
}

/**
 * Counts the frames of an MP3 file, from the first after any ID3v2 tag to the last before any
 * trailing tag. Throws `MpegError` when there is something else in between, or the last frame
 * is cut off.
 */
export function countMpegFrames(buf: Buffer): number {
  let at = id3v2Length(buf);
  if (at > buf.length) throw new MpegError('the ID3 tag runs past the end of the file');
  let frames = 0;
  while (at < buf.length) {
    const length = frameLength(buf, at);
    if (length === null) {
      if (frames > 0 && TRAILERS.some((t) => buf.subarray(at, at + t.length).equals(t))) break;
      throw new MpegError(
        frames === 0 ? 'the file has no MPEG audio frame header' : 'the frames are broken',
      );
    }
    if (at + length > buf.length) throw new MpegError('the last frame is cut off: it is truncated');
    at += length;
    frames++;
  }
  if (frames === 0) throw new MpegError('the file has no MPEG audio frame');
  return frames;
}
