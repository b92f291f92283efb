// After dispose(), every method of a Module, Optimizer or PackedSequence throws one clear error naming
// the object (as better-sqlite3's statements do after close()), instead of failing somewhere inside
// on a freed tensor, or worse, succeeding on state that is gone. The methods are found on the
// prototype chain when the object is disposed, so a method added later is covered without a list to
// keep up to date; only what AFTER_DISPOSE names stays usable.
import { TorchError } from './errors';

/** What a disposed object still answers: disposing again, whether it is disposed, and describing it. */
export const AFTER_DISPOSE: ReadonlySet<PropertyKey> = new Set<PropertyKey>([
  'constructor',
  'dispose',
  // Where the runtime lacks Symbol.dispose (Jest's sandbox on Node 20), `[Symbol.dispose]()` defines a
  // method named "undefined".
  Symbol.dispose ?? 'undefined',
  'isDisposed',
  'toString',
  'toJSON',
  Symbol.for('nodejs.util.inspect.custom'),
]);

/** The error every member of a disposed object throws. */
export function disposedError(what: string, member?: PropertyKey): TorchError {
  const name = member === undefined ? '' : typeof member === 'symbol' ? `[${member.description ?? 'symbol'}]` : String(member);
  return new TorchError(`${what} has been disposed${name ? `: ${name} cannot be used after dispose()` : ''}`);
}

/**
 * Shadows every method and accessor of obj's classes (up to Object.prototype) by one that throws
 * disposedError, except AFTER_DISPOSE. The shadows are own, non-enumerable properties, so
 * Object.entries (how a Module finds its parameters and children) is unchanged.
 */
export function sealDisposed(obj: object, what: string): void {
  const seen = new Set<PropertyKey>();
  for (let proto = Object.getPrototypeOf(obj); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Reflect.ownKeys(proto)) {
      if (seen.has(key) || AFTER_DISPOSE.has(key)) continue;
      seen.add(key);
      const d = Object.getOwnPropertyDescriptor(proto, key) as PropertyDescriptor;
      const fail = (): never => {
        throw disposedError(what, key);
      };
      if (typeof d.value === 'function') Object.defineProperty(obj, key, { value: fail, configurable: true, writable: true, enumerable: false });
      else if (d.get || d.set) Object.defineProperty(obj, key, { get: fail, set: fail, configurable: true, enumerable: false });
    }
  }
}
