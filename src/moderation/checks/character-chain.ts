import {
  resolveConfusablesTransformer,
  resolveLeetSpeakTransformer,
  SimpleTransformerContainer,
  toAsciiLowerCaseTransformer,
} from 'obscenity';
import { decodeUtf16 } from '../utf16';

/** How many times in a row a character is kept; the rest of a run is dropped. */
export interface RepeatLimits {
  defaultThreshold: number;
  customThresholds: Map<string, number>;
}

const UNKNOWN = -2;
const DROPPED = -1;

/**
 * A chain of obscenity transformers as obscenity applies them, code point by code point: its
 * character maps (remembered per BMP character, they are pure), then its
 * `collapseDuplicatesTransformer`, done inline. That transformer keeps a character
 * `threshold` times in a row and drops the rest of the run; through obscenity's interface it
 * costs a call and a Map lookup per character, which was the larger part of the matcher's time.
 */
export class CharacterChain {
  private readonly mapped = new Int32Array(0x10000).fill(UNKNOWN);
  private readonly bmpThresholds = new Float64Array(0x10000);
  private readonly astralThresholds = new Map<number, number>();

  constructor(
    private readonly maps: SimpleTransformerContainer[],
    private readonly repeats: RepeatLimits,
  ) {
    this.bmpThresholds.fill(repeats.defaultThreshold);
    for (const [char, threshold] of repeats.customThresholds) {
      const code = char.codePointAt(0);
      if (code === undefined || String.fromCodePoint(code) !== char || threshold < 0) {
        throw new RangeError(`Expected one character and a non-negative threshold: ${char}`);
      }
      if (code <= 0xffff) this.bmpThresholds[code] = threshold;
      else this.astralThresholds.set(code, threshold);
    }
  }

  /** The transformed text and, per UTF-16 unit of it, where its character starts in `input`. */
  apply(input: string): { text: string; toOriginal: Int32Array } {
    // a character may come out as a surrogate pair
    const units = new Uint16Array(2 * input.length);
    const toOriginal = new Int32Array(2 * input.length);
    let length = 0;
    let last = -1;
    let remaining = -1;
    for (let at = 0; at < input.length;) {
      const char = input.codePointAt(at)!;
      const out = char <= 0xffff ? this.mapped[char] : UNKNOWN;
      const mapped = out === UNKNOWN ? this.map(char) : out;
      let keep: boolean;
      if (mapped === DROPPED) {
        keep = false;
      } else if (mapped === last) {
        keep = remaining-- > 0;
      } else {
        const threshold = this.thresholdOf(mapped);
        remaining = threshold - 1;
        last = mapped;
        keep = threshold > 0;
      }
      if (keep && mapped > 0xffff) {
        units[length] = 0xd800 + ((mapped - 0x10000) >> 10);
        toOriginal[length++] = at;
        units[length] = 0xdc00 + ((mapped - 0x10000) & 0x3ff);
        toOriginal[length++] = at;
      } else if (keep) {
        units[length] = mapped;
        toOriginal[length++] = at;
      }
      at += char > 0xffff ? 2 : 1;
    }
    return { text: decodeUtf16(units, length), toOriginal };
  }

  /** The character maps in order; a character one of them drops ends the chain for it. */
  private map(char: number): number {
    let out: number | undefined = char;
    for (let k = 0; k < this.maps.length && out !== undefined; k++) {
      out = this.maps[k].transform(out);
    }
    const mapped = out ?? DROPPED;
    if (char <= 0xffff) this.mapped[char] = mapped;
    return mapped;
  }

  private thresholdOf(char: number): number {
    if (char <= 0xffff) return this.bmpThresholds[char];
    return this.astralThresholds.get(char) ?? this.repeats.defaultThreshold;
  }
}

/**
 * obscenity's `englishRecommendedBlacklistMatcherTransformers`: confusables, leetspeak and
 * ASCII case folded, then runs collapsed to one character, two of b, e, o, l, s and g
 * ("abbo", "feel", "boonga"). Its transformers do not expose their thresholds, so they are
 * written out here; `english-profanity.spec.ts` compares the result with obscenity's own.
 */
export function englishBlacklistChain(): CharacterChain {
  return new CharacterChain(
    [resolveConfusablesTransformer(), resolveLeetSpeakTransformer(), toAsciiLowerCaseTransformer()],
    {
      defaultThreshold: 1,
      customThresholds: new Map(['b', 'e', 'o', 'l', 's', 'g'].map((c) => [c, 2])),
    },
  );
}

/** obscenity's `englishRecommendedWhitelistMatcherTransformers`: ASCII case, spaces collapsed. */
export function englishWhitelistChain(): CharacterChain {
  return new CharacterChain([toAsciiLowerCaseTransformer()], {
    defaultThreshold: Number.POSITIVE_INFINITY,
    customThresholds: new Map([[' ', 1]]),
  });
}
