import { readFile } from 'node:fs/promises';
import type { IAudioMetadata, IFormat, IOptions } from 'music-metadata';
import { importEsm } from '../upload/file-sniffer';
import { unsupported } from '../upload/upload-inspector';
import { countMpegFrames, MpegError } from './mpeg-frames';
import { oggEndsWhole } from './ogg-pages';
import { webmTiming, WebmError } from './webm-blocks';

/** The part of `music-metadata`'s API this service uses (ESM-only, loaded as `file-type` is). */
interface MusicMetadataModule {
  parseBuffer(
    bytes: Uint8Array,
    fileInfo: { mimeType: string },
    options: IOptions,
  ): Promise<IAudioMetadata>;
}

let loaded: Promise<MusicMetadataModule> | undefined;
const musicMetadata = (): Promise<MusicMetadataModule> =>
  (loaded ??= importEsm<MusicMetadataModule>('music-metadata'));

/** What a voice message is, as its container says. */
export interface AudioFacts {
  durationMs: number;
}

/** For each accepted type, the container and codec `music-metadata` must find. */
const FORMATS: Record<string, { name: string; matches: (f: IFormat) => boolean }> = {
  'audio/ogg': { name: 'Ogg Opus', matches: (f) => f.container === 'Ogg' && f.codec === 'Opus' },
  'audio/webm': {
    name: 'WebM Opus',
    matches: (f) => f.container === 'EBML/webm' && f.codec?.toUpperCase() === 'OPUS',
  },
  'audio/mp4': { name: 'MP4/AAC', matches: (f) => /^MPEG-4\/AAC/.test(f.codec ?? '') },
  'audio/mpeg': {
    name: 'MP3',
    matches: (f) => f.container === 'MPEG' && /Layer 3$/.test(f.codec ?? ''),
  },
};

/**
 * Reads a spooled recording of the type its name and first bytes claimed (`mime`): checks
 * that the whole container is that audio, with no video and nothing cut off, and gives its
 * length. Refuses anything else with `415 UNSUPPORTED_FILE_TYPE`. The file is at most
 * `MAX_AUDIO_BYTES`, so it is read at once.
 */
export async function probeAudio(path: string, mime: string): Promise<AudioFacts> {
  const format = FORMATS[mime];
  if (!format) throw unsupported(`${mime} is not a voice message format`);
  const bytes = await readFile(path);
  const checked = checkContainer(mime, bytes);
  let metadata: IAudioMetadata;
  try {
    metadata = await (
      await musicMetadata()
    ).parseBuffer(checked.header, { mimeType: mime }, { skipCovers: true, duration: false });
  } catch (err) {
    throw unsupported(`the recording cannot be read as ${format.name}: ${(err as Error).message}`);
  }
  const f = metadata.format;
  if (!format.matches(f) || f.hasVideo === true || f.hasAudio === false) {
    throw unsupported(`the recording is not ${format.name} audio`);
  }
  const seconds = checked.seconds ?? f.duration;
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) {
    throw unsupported('the recording has no length: it is empty or damaged');
  }
  return { durationMs: Math.max(1, Math.round(seconds * 1000)) };
}

/**
 * The checks `music-metadata` does not make for each container, and what it is given to read:
 * a WebM file only up to its first Cluster, since it cannot skip a Cluster of unknown size
 * (as browsers write them), whose length the blocks give instead.
 */
function checkContainer(mime: string, bytes: Buffer): { header: Buffer; seconds?: number } {
  try {
    switch (mime) {
      case 'audio/webm': {
        const timing = webmTiming(bytes);
        const ms = timing.headerMs || timing.blocksMs;
        return {
          header: bytes.subarray(0, timing.firstClusterAt),
          seconds: ms === null ? 0 : ms / 1000,
        };
      }
      case 'audio/ogg':
        if (!oggEndsWhole(bytes)) throw unsupported('the recording is truncated');
        break;
      case 'audio/mpeg':
        countMpegFrames(bytes);
        break;
    }
  } catch (err) {
    if (err instanceof WebmError || err instanceof MpegError) throw unsupported(err.message);
    throw err;
  }
  return { header: bytes };
}
