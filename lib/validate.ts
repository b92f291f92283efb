// Argument checks shared by the public API. Each names the parameter, what was expected and what was
// received, in the style of sharp's lib/is.js.
import type { Tensor } from './tensor';

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

export function checkInteger(name: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid(name, 'an integer', value);
  if (value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : min === -Infinity ? `<= ${max}` : `between ${min} and ${max}`;
    throw new RangeError(`Expected an integer ${range} for ${name} but received ${value}`);
  }
  return value;
}

export function checkNumber(name: string, value: unknown, { finite = true, min = -Infinity, max = Infinity } = {}): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw invalid(name, 'a number', value);
  if (finite && !Number.isFinite(value)) throw invalid(name, 'a finite number', value);
  if (value < min || value > max) throw new RangeError(`Expected a number between ${min} and ${max} for ${name} but received ${value}`);
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

export function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw invalid(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

export function checkShape(name: string, value: unknown): number[] {
  if (!Array.isArray(value)) throw invalid(name, 'an array of non-negative integers', value);
  value.forEach((d, i) => checkInteger(`${name}[${i}]`, d, 0));
  return value as number[];
}

export function checkIntList(name: string, value: unknown): number[] {
  if (!Array.isArray(value)) throw invalid(name, 'an array of integers', value);
  value.forEach((d, i) => checkInteger(`${name}[${i}]`, d));
  return value as number[];
}

export function checkObject(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(name, 'an options object', value);
  return value as Record<string, unknown>;
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
