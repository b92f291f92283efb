/**
 * Token interning: each distinct token string gets a small integer id, looked
 * up straight from a span of the source text (hash computed while scanning),
 * so the hot loops never slice or hash a string twice. Ids are dense
 * (0..size-1) and stable for the life of the interner.
 */

/** FNV-1a step over one UTF-16 code unit. Start from `HASH_SEED`. */
export const HASH_SEED = 0x811c9dc5 | 0;
export function hashStep(h: number, c: number): number {
  return Math.imul(h ^ c, 0x01000193);
}

export function hashString(s: string): number {
  let h = HASH_SEED;
  for (let i = 0; i < s.length; i++) h = hashStep(h, s.charCodeAt(i));
  return h;
}

export class TokenInterner {
  /** id -> token. */
  readonly keys: string[] = [];
  private hashes = new Int32Array(1024);
  private slots = new Int32Array(2048); // id + 1, 0 = empty
  private mask = 2047;

  get size(): number {
    return this.keys.length;
  }

  /** Id of `text.slice(start, end)` whose hash is `h` (see hashStep), adding it if new. */
  internSpan(text: string, start: number, end: number, h: number): number {
    const len = end - start;
    let i = h & this.mask;
    for (;;) {
      const slot = this.slots[i];
      if (slot === 0) break;
      const id = slot - 1;
      if (this.hashes[id] === h) {
        const k = this.keys[id];
        if (k.length === len) {
          let j = 0;
          while (j < len && k.charCodeAt(j) === text.charCodeAt(start + j)) j++;
          if (j === len) return id;
        }
      }
      i = (i + 1) & this.mask;
    }
    return this.insert(i, len === text.length ? text : text.slice(start, end), h);
  }

  /** Id of `token`, adding it if new. */
  intern(token: string): number {
    return this.internSpan(token, 0, token.length, hashString(token));
  }

  /** Id of `token`, or -1 when it was never interned. */
  find(token: string): number {
    const h = hashString(token);
    let i = h & this.mask;
    for (;;) {
      const slot = this.slots[i];
      if (slot === 0) return -1;
      if (this.hashes[slot - 1] === h && this.keys[slot - 1] === token) return slot - 1;
      i = (i + 1) & this.mask;
    }
  }

  private insert(slotIndex: number, key: string, h: number): number {
    const id = this.keys.length;
    this.keys.push(key);
    if (id >= this.hashes.length) {
      const grown = new Int32Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[id] = h;
    this.slots[slotIndex] = id + 1;
    if ((id + 1) * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.keys.length; id++) {
      let i = this.hashes[id] & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = id + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
