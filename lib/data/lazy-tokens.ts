/**
 * Token arrays made on first access. `IMDB.splits` reads 50,000 reviews and 13 million tokens; the
 * pipeline a user runs (buildVocab, BucketIterator, batches) needs only their interner ids, so an
 * example it makes holds its tokens as ids until someone reads `example.text`: then (once) the array
 * of strings is made, equal to what the eager path made, and the property becomes a plain data
 * property. Writing the property first replaces the pending ids. The property is an own, enumerable
 * accessor until then, so `Object.keys`, spreading, `structuredClone` and `JSON.stringify` see the
 * tokens as before; only `Object.getOwnPropertyDescriptor` tells (a getter, not a value), and an
 * accessor copied by descriptor onto another object reads undefined there.
 *
 * Readers that can use ids (Field.buildVocab, batching, IMDB.sortKey) ask `pendingIds` first and
 * never make the strings.
 */

/** Makes the tokens of `ids` (and remembers them as made from `ids`). */
export type Materialize = (ids: Int32Array) => string[];

interface Pending {
  readonly name: string;
  readonly ids: Int32Array;
  readonly owner: object;
  readonly materialize: Materialize;
  /** The tokens once made, kept here only while the property cannot be redefined (a frozen example). */
  tokens: string[] | undefined;
  next: Pending | undefined;
}

/** Examples with pending token arrays, one entry per property (a short list: IMDb has one). */
const pending = new WeakMap<object, Pending>();

function find(example: object, name: string): Pending | undefined {
  for (let p = pending.get(example); p !== undefined; p = p.next) if (p.name === name) return p;
  return undefined;
}

function take(example: object, name: string): Pending | undefined {
  let prev: Pending | undefined;
  for (let p = pending.get(example); p !== undefined; prev = p, p = p.next) {
    if (p.name !== name) continue;
    if (prev !== undefined) prev.next = p.next;
    else if (p.next !== undefined) pending.set(example, p.next);
    else pending.delete(example);
    return p;
  }
  return undefined;
}

function setData(example: object, name: string, value: unknown): void {
  Object.defineProperty(example, name, { value, writable: true, enumerable: true, configurable: true });
}

/** One getter/setter pair per property name, shared by all examples (they keep one hidden class). */
const accessors = new Map<string, PropertyDescriptor>();

function accessorFor(name: string): PropertyDescriptor {
  let d = accessors.get(name);
  if (d === undefined) {
    d = {
      enumerable: true,
      configurable: true,
      get(this: object): unknown {
        const p = find(this, name);
        if (p === undefined) return undefined; // the accessor copied onto another object: it holds no tokens
        p.tokens ??= p.materialize(p.ids);
        if (Object.getOwnPropertyDescriptor(this, name)?.configurable === true) {
          take(this, name);
          setData(this, name, p.tokens);
        }
        return p.tokens;
      },
      set(this: object, value: unknown) {
        setData(this, name, value); // throws, as assigning would, when the example is frozen
        take(this, name);
      },
    };
    accessors.set(name, d);
  }
  return d;
}

/**
 * Makes `example[name]` the tokens of `ids`, made by `materialize` on first read. `owner` (the
 * TokenIds that interned them) is what `pendingIds` checks, so that a Field reads only its own ids.
 */
export function defineLazyTokens(example: object, name: string, ids: Int32Array, owner: object, materialize: Materialize): void {
  take(example, name);
  pending.set(example, { name, ids, owner, materialize, tokens: undefined, next: pending.get(example) });
  Object.defineProperty(example, name, accessorFor(name));
}

/** The ids of `example[name]` while its tokens are not made yet (and, with `owner`, were interned by it); else undefined. */
export function pendingIds(example: unknown, name: string, owner?: object): Int32Array | undefined {
  if (typeof example !== 'object' || example === null) return undefined;
  const p = find(example, name);
  // Made already (a frozen example): its array may be anyone's now, so it goes by its strings.
  if (p === undefined || p.tokens !== undefined) return undefined;
  return owner === undefined || p.owner === owner ? p.ids : undefined;
}
