const SINGLE_EMOJI = /^\p{RGI_Emoji}$/v;

/** True for exactly one emoji grapheme (skin tones, ZWJ sequences and flags included). */
export function isSingleEmoji(value: string): boolean {
  return SINGLE_EMOJI.test(value);
}
