import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumWebm, oggOpusPackets } from '../../../test/support/webm-recording';
import { AppError } from '../../common/errors/app-error';
import { importEsm } from '../upload/file-sniffer';
import { probeAudio } from './audio-probe';
import { countMpegFrames } from './mpeg-frames';
import { oggEndsWhole } from './ogg-pages';
import { opusPacketNs, webmTiming } from './webm-blocks';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'audio');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const dir = mkdtempSync(join(tmpdir(), 'audio-probe-'));
let n = 0;
const saved = (bytes: Buffer) => {
  const path = join(dir, `f${++n}`);
  writeFileSync(path, bytes);
  return path;
};
const { head, audio } = oggOpusPackets(fixture('voice.ogg'));

/** The code of the AppError `probe` rejects with. */
async function refusal(probe: Promise<unknown>): Promise<string> {
  try {
    await probe;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).code;
  }
  throw new Error('expected the recording to be refused');
}

describe('probeAudio', () => {
  it.each([
    ['voice.ogg', 'audio/ogg'],
    ['voice.webm', 'audio/webm'],
    ['voice.m4a', 'audio/mp4'],
    ['voice.mp3', 'audio/mpeg'],
  ])('reads the length of %s (1.5 s)', async (name, mime) => {
    const { durationMs } = await probeAudio(join(FIXTURES, name), mime);
    expect(durationMs).toBeGreaterThanOrEqual(1450);
    expect(durationMs).toBeLessThanOrEqual(1600);
  });

  it('reads the length of a Chromium recording (no Duration, unknown sizes) from its last block', async () => {
    const recording = chromiumWebm(head, audio, 1.5);
    expect(webmTiming(recording)).toMatchObject({ headerMs: null, blocksMs: 1500 });
    expect(await probeAudio(saved(recording), 'audio/webm')).toEqual({ durationMs: 1500 });
    const long = chromiumWebm(head, audio, 61.24);
    expect(await probeAudio(saved(long), 'audio/webm')).toEqual({ durationMs: 61240 });
  });

  it('needs the header cut: music-metadata cannot skip a Cluster of unknown size', async () => {
    const mm = await importEsm<{ parseBuffer(b: Uint8Array): Promise<unknown> }>('music-metadata');
    await expect(mm.parseBuffer(chromiumWebm(head, audio, 1.5))).rejects.toThrow();
  });

  it('refuses a truncated recording in every format', async () => {
    for (const [name, mime] of [
      ['voice.ogg', 'audio/ogg'],
      ['voice.webm', 'audio/webm'],
      ['voice.m4a', 'audio/mp4'],
      ['voice.mp3', 'audio/mpeg'],
    ]) {
      const bytes = fixture(name);
      for (const cut of [300, Math.floor(bytes.length / 2), bytes.length - 7]) {
        expect(await refusal(probeAudio(saved(bytes.subarray(0, cut)), mime))).toBe(
          'UNSUPPORTED_FILE_TYPE',
        );
      }
    }
    const recording = chromiumWebm(head, audio, 1.5);
    expect(
      await refusal(probeAudio(saved(recording.subarray(0, recording.length - 5)), 'audio/webm')),
    ).toBe('UNSUPPORTED_FILE_TYPE');
  });

  it('refuses an MP3 whose frame headers are bogus', async () => {
    const bogus = Buffer.from(fixture('voice.mp3'));
    const frames = countMpegFrames(bogus);
    expect(frames).toBeGreaterThan(10);
    // Bitrate index 15 is forbidden: the second frame's header (after the Info frame) is bogus.
    const second = bogus.indexOf(Buffer.from([0xff, 0xf3]), 4);
    bogus[second + 2] |= 0xf0;
    expect(await refusal(probeAudio(saved(bogus), 'audio/mpeg'))).toBe('UNSUPPORTED_FILE_TYPE');
    const junk = Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(2000, 7)]);
    expect(await refusal(probeAudio(saved(junk), 'audio/mpeg'))).toBe('UNSUPPORTED_FILE_TYPE');
  });

  it('refuses a container of another type than the one claimed', async () => {
    expect(await refusal(probeAudio(join(FIXTURES, 'voice.ogg'), 'audio/mpeg'))).toBe(
      'UNSUPPORTED_FILE_TYPE',
    );
    expect(await refusal(probeAudio(join(FIXTURES, 'voice.mp3'), 'audio/webm'))).toBe(
      'UNSUPPORTED_FILE_TYPE',
    );
  });
});

describe('container checks', () => {
  it('knows an Ogg stream that ends with its end-of-stream page', () => {
    const ogg = fixture('voice.ogg');
    expect(oggEndsWhole(ogg)).toBe(true);
    expect(oggEndsWhole(ogg.subarray(0, ogg.length - 1))).toBe(false);
  });

  it('reads Opus packet lengths from their TOC byte', () => {
    expect(opusPacketNs(audio[0])).toBe(20_000_000);
    expect(opusPacketNs(Buffer.from([0b11111_000]))).toBe(20_000_000);
    expect(opusPacketNs(Buffer.from([0b00011_001]))).toBe(120_000_000);
    expect(opusPacketNs(Buffer.from([0b10000_011, 3]))).toBe(7_500_000);
  });
});
