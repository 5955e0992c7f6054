import { endianness } from 'node:os';

const LITTLE_ENDIAN = endianness() === 'LE';
// Below the engines' argument-count limits for Function.prototype.apply.
const CHUNK = 8192;

/**
 * The string of the first `length` UTF-16 units, lone surrogates kept as they are. Through a
 * Buffer view, a copy at memory speed, where the platform stores the units little-endian;
 * `String.fromCharCode` in chunks elsewhere.
 */
export function decodeUtf16(units: Uint16Array, length: number): string {
  if (LITTLE_ENDIAN)
    return Buffer.from(units.buffer, units.byteOffset, 2 * length).toString('utf16le');
  let text = '';
  for (let at = 0; at < length; at += CHUNK) {
    const chunk = units.subarray(at, Math.min(length, at + CHUNK));
    text += String.fromCharCode.apply(null, chunk as unknown as number[]);
  }
  return text;
}
