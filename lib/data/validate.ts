/**
 * Argument checks for the text pipeline: the library's own (lib/validate.ts), so every error reads
 * the same way across the API ("Expected ... for <parameter> but received ..."), plus the few checks
 * only the pipeline needs.
 */
import { describe, invalid, checkObject, checkBoolean, checkKeys } from '../validate';

export { describe, invalid, checkObject, checkBoolean };

export function outOfRange(param: string, expected: string, received: unknown): RangeError {
  return new RangeError(`Expected ${expected} for ${param} but received ${describe(received)}`);
}

/** An integer in [min, max]. */
export function checkInteger(param: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid(param, 'an integer', value);
  if (value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw outOfRange(param, `an integer ${range}`, value);
  }
  return value;
}

/** A non-empty string (paths, URLs, names). */
export function checkString(param: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(param, 'a non-empty string', value);
  return value;
}

export function checkFunction<F extends (...args: never[]) => unknown>(param: string, value: unknown): F {
  if (typeof value !== 'function') throw invalid(param, 'a function', value);
  return value as F;
}

/** Optional field: returns `fallback` when undefined, else runs `check`. */
export function optional<T>(value: unknown, fallback: T, check: (v: unknown) => T): T {
  return value === undefined ? fallback : check(value);
}

/** Rejects option names that are not in `known` (catches typos such as `batchsize`). */
export function checkKnownKeys(param: string, options: Record<string, unknown>, known: readonly string[]): void {
  checkKeys(param, options, known);
}
