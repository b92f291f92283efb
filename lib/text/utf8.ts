/**
 * UTF-8 helpers for the byte scanners: argument checks, decoding, the first
 * line of a file, and Python's whitespace recognised straight from bytes.
 */
import { invalid } from '../validate';

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The checks of every function that reads UTF-8 bytes: `bytes` is a Uint8Array (or Buffer)
 * and `[start, end)` lies within it. Returns `end`, which defaults to the length.
 */
export function checkBytes(bytes: unknown, start = 0, end?: number): number {
  if (!(bytes instanceof Uint8Array)) throw invalid('bytes', 'a Uint8Array or Buffer', bytes);
  const stop = end ?? bytes.length;
  if (!Number.isInteger(start) || !Number.isInteger(stop) || start < 0 || stop > bytes.length || start > stop) {
    throw new RangeError(`[start, end) = [${start}, ${stop}) is not within the ${bytes.length} bytes`);
  }
  return stop;
}

/** The UTF-8 text `bytes[start, end)` (invalid sequences become U+FFFD, as Buffer#toString does). */
export function decodeUtf8(bytes: Uint8Array, start = 0, end?: number): string {
  const stop = checkBytes(bytes, start, end);
  return asBuffer(bytes).toString('utf8', start, stop);
}

/**
 * End of the first line of `bytes` (index of the first '\n' or '\r', or the
 * length): what Python's `f.readline()` reads in text mode, without the line break.
 */
export function firstLineEnd(bytes: Uint8Array): number {
  checkBytes(bytes);
  const b = asBuffer(bytes);
  const lf = b.indexOf(10);
  const cr = b.indexOf(13);
  let end = b.length;
  if (lf >= 0) end = lf;
  if (cr >= 0 && cr < end) end = cr;
  return end;
}

/**
 * Length of the UTF-8 sequence at `i` when it encodes a character Python's
 * `str.isspace()` accepts (U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028,
 * U+2029, U+202F, U+205F, U+3000), else 0. A lead byte always starts a
 * character for the decoder too, so this agrees with decoding the whole text.
 */
export function utf8SpaceLength(bytes: Uint8Array, i: number, end: number): number {
  const b0 = bytes[i];
  if (b0 === 0xc2) return i + 1 < end && (bytes[i + 1] === 0x85 || bytes[i + 1] === 0xa0) ? 2 : 0;
  if (b0 < 0xe1 || b0 > 0xe3 || i + 2 >= end) return 0;
  const b1 = bytes[i + 1];
  const b2 = bytes[i + 2];
  if (b0 === 0xe1) return b1 === 0x9a && b2 === 0x80 ? 3 : 0; // U+1680
  if (b0 === 0xe3) return b1 === 0x80 && b2 === 0x80 ? 3 : 0; // U+3000
  if (b1 === 0x80) return (b2 >= 0x80 && b2 <= 0x8a) || b2 === 0xa8 || b2 === 0xa9 || b2 === 0xaf ? 3 : 0;
  return b1 === 0x81 && b2 === 0x9f ? 3 : 0; // U+205F
}
