/**
 * Token interning: each distinct token string gets a small integer id, looked
 * up straight from a span of the source text (hash computed while scanning),
 * so the hot loops never slice or hash a string twice. Ids are dense
 * (0..size-1) and stable for the life of the interner. The open-addressing
 * table stores [hash, id + 1] pairs side by side, so a probe touches one
 * cache line before the key itself is compared.
 */

/** FNV-1a: start from `HASH_SEED`, then `h = hashStep(h, charCode)` per UTF-16 unit. */
export const HASH_SEED = 0x811c9dc5 | 0;
export function hashStep(h: number, c: number): number {
  return Math.imul(h ^ c, 0x01000193);
}

export function hashString(s: string): number {
  let h = HASH_SEED;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

export class TokenInterner {
  /** id -> token. */
  readonly keys: string[] = [];
  /** [hash, id + 1] pairs; id + 1 = 0 marks an empty slot. */
  private table = new Int32Array(4096);
  private mask = 2047;

  get size(): number {
    return this.keys.length;
  }

  /** Id of `text.slice(start, end)` whose hash is `h` (see hashStep), adding it if new. */
  internSpan(text: string, start: number, end: number, h: number): number {
    const table = this.table;
    const len = end - start;
    let i = h & this.mask;
    for (;;) {
      const slot = table[2 * i + 1];
      if (slot === 0) break;
      if (table[2 * i] === h) {
        const k = this.keys[slot - 1];
        if (k.length === len && text.startsWith(k, start)) return slot - 1;
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
      const slot = this.table[2 * i + 1];
      if (slot === 0) return -1;
      if (this.table[2 * i] === h && this.keys[slot - 1] === token) return slot - 1;
      i = (i + 1) & this.mask;
    }
  }

  private insert(slotIndex: number, key: string, h: number): number {
    const id = this.keys.length;
    this.keys.push(key);
    this.table[2 * slotIndex] = h;
    this.table[2 * slotIndex + 1] = id + 1;
    if ((id + 1) * 2 > this.mask + 1) this.rehash();
    return id;
  }

  private rehash(): void {
    const old = this.table;
    const slots = (this.mask + 1) * 2;
    const table = new Int32Array(slots * 2);
    const mask = slots - 1;
    for (let s = 0; s < old.length; s += 2) {
      if (old[s + 1] === 0) continue;
      let i = old[s] & mask;
      while (table[2 * i + 1] !== 0) i = (i + 1) & mask;
      table[2 * i] = old[s];
      table[2 * i + 1] = old[s + 1];
    }
    this.table = table;
    this.mask = mask;
  }
}
