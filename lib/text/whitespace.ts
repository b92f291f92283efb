/** Python's whitespace: `str.isspace()` and `str.split()` with no argument. */

/** Python's `str.isspace()` for one UTF-16 code unit (all such characters are in the BMP). */
export function isPySpace(c: number): boolean {
  if (c === 32) return true;
  if (c < 9) return false;
  if (c <= 13) return true; // \t \n \v \f \r
  if (c < 28) return false;
  if (c <= 31) return true; // \x1c-\x1f
  if (c < 133) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 ||
    c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Python's whitespace as a regex class body (for `\s` / `\S` in ported patterns). */
export const PY_SPACE_CLASS = String.raw`\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000`;

/** Python's `str.split()` with no argument: split on runs of Unicode whitespace. */
export function whitespaceTokenize(text: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ws = c === 32 || (c < 128 ? c >= 9 && (c <= 13 || (c >= 28 && c <= 31)) : isPySpace(c));
    if (ws) {
      if (start >= 0) {
        out.push(text.slice(start, i));
        start = -1;
      }
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) out.push(text.slice(start));
  return out;
}
