// Argument checks shared by the public API. Each names the parameter, what was expected and what was
// received, in the style of sharp's lib/is.js.
import * as os from 'os';
import type { Tensor } from './tensor';

/**
 * The most threads setNumThreads, setBlasThreads and the CLI's --threads accept: more than a few per
 * core only slows the kernels down, and a count far beyond that (100,000, or 2**32 + 1, which a C int
 * would read as 1) is a mistake, refused with a RangeError. Here, not in runtime.ts, so the CLI can
 * check its flags before the native addon loads.
 */
export const MAX_THREADS = Math.max(64, 4 * os.availableParallelism());

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return `array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name} of length ${(value as unknown as { length: number }).length}`;
  if (typeof value === 'function') return 'function';
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `${name} object` : 'object';
}

export function invalid(name: string, expected: string, value: unknown): TypeError {
  return new TypeError(`Expected ${expected} for ${name} but received ${describe(value)}`);
}

/** A RangeError in the same words as `invalid`: the value has the right type but lies outside the range. */
export function outOfRange(name: string, expected: string, value: unknown): RangeError {
  return new RangeError(`Expected ${expected} for ${name} but received ${describe(value)}`);
}

/** `[min, max]` in words; a bound left at its default (the safe-integer limit, or infinity) is not named. */
function rangeWords(min: number, max: number, limit: number): string {
  if (max >= limit) return min <= -limit ? '' : ` >= ${min}`;
  return min <= -limit ? ` <= ${max}` : ` in [${min}, ${max}]`;
}

/** A safe integer in [min, max]. */
export function checkInteger(name: string, value: unknown, min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid(name, 'an integer', value);
  if (value < min || value > max || !Number.isSafeInteger(value)) {
    const words = rangeWords(min, max, Number.MAX_SAFE_INTEGER);
    throw outOfRange(name, words ? `an integer${words}` : 'a safe integer', value);
  }
  return value;
}

export function checkNumber(name: string, value: unknown, { finite = true, min = -Infinity, max = Infinity } = {}): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw invalid(name, 'a number', value);
  if (finite && !Number.isFinite(value)) throw invalid(name, 'a finite number', value);
  if (value < min || value > max) throw outOfRange(name, `a number${rangeWords(min, max, Infinity)}`, value);
  return value;
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid(name, 'a boolean', value);
  return value;
}

export function checkString(name: string, value: unknown): string {
  if (typeof value !== 'string') throw invalid(name, 'a string', value);
  return value;
}

/** A non-empty string (paths, URLs, names). */
export function checkNonEmptyString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(name, 'a non-empty string', value);
  return value;
}

export function checkFunction<F extends (...args: never[]) => unknown>(name: string, value: unknown): F {
  if (typeof value !== 'function') throw invalid(name, 'a function', value);
  return value as F;
}

/** An optional value: `fallback` when undefined, else what `check` returns. */
export function optional<T>(value: unknown, fallback: T, check: (v: unknown) => T): T {
  return value === undefined ? fallback : check(value);
}

export function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw invalid(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

// The list and options checks return copies, each element or option read once: what is checked is
// what is used, and a getter (on an option, or on an array index) cannot run again later, between
// resolving a tensor's handle and using it, or hand native code a different value than was checked.

/** A copy of an array of non-negative integers. */
export function checkShape(name: string, value: unknown): number[] {
  if (!Array.isArray(value)) throw invalid(name, 'an array of non-negative integers', value);
  const out: number[] = new Array(value.length);
  for (let i = 0; i < out.length; i++) out[i] = checkInteger(`${name}[${i}]`, value[i], 0);
  return out;
}

/** A copy of an array of integers. */
export function checkIntList(name: string, value: unknown): number[] {
  if (!Array.isArray(value)) throw invalid(name, 'an array of integers', value);
  const out: number[] = new Array(value.length);
  for (let i = 0; i < out.length; i++) out[i] = checkInteger(`${name}[${i}]`, value[i]);
  return out;
}

/** A snapshot of an options object: its own enumerable properties, each read once. */
export function checkObject(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(name, 'an options object', value);
  return { ...value };
}

/** Rejects option names that do not exist (a typo would otherwise be silently ignored). */
export function checkKeys(name: string, options: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new TypeError(`Unknown option '${key}' for ${name}; known options: ${allowed.join(', ')}`);
  }
}

// Set by tensor.ts to avoid an import cycle.
let tensorClass: (new (...args: never[]) => Tensor) | null = null;
export function registerTensorClass(cls: new (...args: never[]) => Tensor): void {
  tensorClass = cls;
}

export function checkTensor(name: string, value: unknown): Tensor {
  if (!tensorClass || !(value instanceof tensorClass)) throw invalid(name, 'a Tensor', value);
  return value as Tensor;
}
