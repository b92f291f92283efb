// Input checks shared by the predictor and the HTTP layer: what a text must be before it reaches a worker.
import { ServeError, describe } from './errors';

export const DEFAULT_MAX_CHARS = 100_000;

/** Index of the first lone surrogate in `s`, or -1 when `s` is well-formed UTF-16. */
export function loneSurrogateAt(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

/** `value` as a text to predict, or a ServeError that names `name`, the expectation and what came. */
export function checkText(name: string, value: unknown, maxChars: number): string {
  if (typeof value !== 'string') throw new ServeError('INVALID_TEXT', `Expected a string for ${name} but received ${describe(value)}`);
  if (value.length > maxChars) throw new ServeError('TEXT_TOO_LONG', `Expected at most ${maxChars} characters for ${name} but received ${value.length}`);
  if (value.trim() === '') throw new ServeError('INVALID_TEXT', `Expected a non-empty text for ${name} but received ${value === '' ? 'an empty string' : 'only whitespace'}`);
  // Lone surrogates cannot be encoded as UTF-8: the tokenizer would see U+FFFD in their place.
  const bad = (value as { isWellFormed?: () => boolean }).isWellFormed?.() === true ? -1 : loneSurrogateAt(value);
  if (bad >= 0) throw new ServeError('INVALID_TEXT', `Expected well-formed UTF-16 for ${name} but received a lone surrogate 0x${value.charCodeAt(bad).toString(16)} at index ${bad}`);
  return value;
}

export function checkPositiveInt(name: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new RangeError(`Expected an integer >= ${min} for ${name} but received ${describe(value)}`);
  return value;
}
