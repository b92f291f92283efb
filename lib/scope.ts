// Memory scopes: tidy(fn) disposes every tensor created inside fn except those it returns or keeps,
// as in tfjs. Tensors made outside any scope are the caller's to dispose (a FinalizationRegistry is the safety net).

/** Anything that owns native memory and can be released. */
export interface Disposable {
  dispose(): void;
  /** @internal */ _kept?: boolean;
}

const scopes: Disposable[][] = [];

/** @internal Called by every Tensor constructor. */
export function track(t: Disposable): void {
  const scope = scopes[scopes.length - 1];
  if (scope) scope.push(t);
}

/** Marks a tensor as surviving every enclosing tidy() scope. */
export function keep<T extends Disposable>(t: T): T {
  t._kept = true;
  return t;
}

// Finds the disposables in a result: the value itself, and whatever arrays, Sets, Maps and objects (a
// plain result object, a PackedSequence, a batch) hold, at any depth. Each object is visited once (a
// cycle ends there), with a stack of its own rather than recursion (a deep chain cannot overflow the
// call stack). Typed arrays hold only numbers and a tensor holds no disposables, so neither is walked.
function collect(root: unknown, out: Set<unknown>): void {
  const seen = new Set<unknown>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    const isDisposable = typeof (value as Disposable).dispose === 'function';
    if (isDisposable) out.add(value);
    if (Array.isArray(value) || value instanceof Set) {
      for (const v of value) stack.push(v);
    } else if (value instanceof Map) {
      for (const v of value.values()) stack.push(v);
    } else if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      continue;
    } else if (!isDisposable || !('_h' in value)) {
      // Any object but a tensor itself: look inside.
      for (const v of Object.values(value)) stack.push(v);
    }
  }
}

/**
 * Runs fn and disposes every tensor created during it, except those in its result (a tensor, or
 * tensors inside arrays, Sets, Maps and objects, at any depth) and those passed to keep(). Returned tensors move to the
 * enclosing scope. fn must be synchronous.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`Expected a function for fn but received ${typeof fn}`);
  const scope: Disposable[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) if (!t._kept) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) if (!t._kept) t.dispose();
    throw new TypeError('tidy(fn) needs a synchronous fn; it returned a Promise');
  }
  const survivors = new Set<unknown>();
  collect(result, survivors);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (t._kept) continue;
    if (survivors.has(t)) {
      if (parent) parent.push(t);
    } else {
      t.dispose();
    }
  }
  return result;
}
