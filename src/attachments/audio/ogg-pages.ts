/**
 * Whether an Ogg file ends as a complete stream: its last page whole, and marked end of stream
 * (RFC 3533). A recording that was cut off ends inside a page or without that mark.
 */
export function oggEndsWhole(buf: Buffer): boolean {
  const capture = Buffer.from('OggS', 'latin1');
  // A page is at most 27 + 255 + 255 * 255 bytes: the last one starts within that of the end.
  const from = Math.max(0, buf.length - (27 + 255 + 255 * 255));
  let at = buf.lastIndexOf(capture);
  while (at >= from) {
    if (at + 27 <= buf.length) {
      const segments = buf[at + 26];
      if (at + 27 + segments <= buf.length) {
        let body = 0;
        for (let i = 0; i < segments; i++) body += buf[at + 27 + i];
        const end = at + 27 + segments + body;
        // The capture pattern may also occur inside a packet: only a page that ends the file counts.
        if (end === buf.length) return (buf[at + 5] & 0x04) !== 0;
      }
    }
    at = at === 0 ? -1 : buf.lastIndexOf(capture, at - 1);
  }
  return false;
}
