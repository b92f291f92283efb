/**
 * Argument checks for the text pipeline. Every public function checks its
 * arguments here and throws a TypeError/RangeError that names the parameter,
 * what was expected and what was received.
 */

/** Short, printable description of a received value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') {
    const s = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(s);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${String(value)}`;
  }
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

export function invalid(param: string, expected: string, received: unknown): TypeError {
  return new TypeError(`${param}: expected ${expected}, received ${describe(received)}`);
}

export function outOfRange(param: string, expected: string, received: unknown): RangeError {
  return new RangeError(`${param}: expected ${expected}, received ${describe(received)}`);
}

export function checkObject(param: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(param, 'an options object', value);
  }
  return value as Record<string, unknown>;
}

export function checkInteger(param: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalid(param, 'an integer', value);
  }
  if (value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw outOfRange(param, `an integer ${range}`, value);
  }
  return value;
}

export function checkBoolean(param: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid(param, 'a boolean', value);
  return value;
}

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
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(`${param}: unknown option "${key}"; expected one of ${known.join(', ')}`);
    }
  }
}
