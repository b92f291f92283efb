/**
 * Token interning: each distinct token string gets a small integer id, looked
 * up straight from a span of the source text (hash computed while scanning),
 * so the hot loops never slice or hash a string twice. Ids are dense
 * (0..size-1) and stable for the life of the interner. The open-addressing
 * table stores [hash, id + 1, byte offset, length] side by side, so a probe
 * touches one cache line before the key itself is compared.
 *
 * Keys made only of ASCII characters are also kept as bytes in one pool, so a
 * token scanned straight from UTF-8 bytes (`internBytes`) is found without
 * creating a string; a string is made only when the token is new. The hash of
 * an ASCII token is the same whether computed over its bytes or its chars.
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

function emptyStringArray(): string[] {
  const a = [''];
  a.length = 0;
  return a;
}

/** Default `limit` of the shared tokenizers' interners and caches (tokens, or chunks for spaCy). */
export const DEFAULT_CACHE_LIMIT = 1 << 16;

export class TokenInterner {
  /** id -> token. (Made with a string and emptied, so it holds strings from the start: a fresh
   * `[]` changes elements kind on its first push, which deoptimizes code compiled for another interner.) */
  readonly keys: string[] = emptyStringArray();
  /**
   * Four int32 per slot: hash, id + 1 (0 marks an empty slot), start of the
   * key's bytes in `pool` (-1 when the key has a non-ASCII character) and the
   * key's length.
   */
  private table = new Int32Array(4 * 2048);
  private mask = 2047;
  /** Bytes of the ASCII keys, back to back. */
  private pool = new Uint8Array(1 << 12);
  private poolLength = 0;
  /** Ids of one-byte tokens (-1: not looked up yet), and a one-byte scratch. */
  private readonly byteIds = new Int32Array(128).fill(-1);
  private readonly one = new Uint8Array(1);
  /**
   * Most tokens kept (see `trim`): Infinity (never cleared) for the interners of a Field, which
   * grow with the finite corpus; a cap for the shared tokenizers a service calls on every request.
   */
  limit: number;
  /** Bumped by `clear()`: ids handed out before then no longer mean anything. */
  generation = 0;

  constructor(options: { limit?: number } = {}) {
    this.limit = options.limit ?? Infinity;
  }

  get size(): number {
    return this.keys.length;
  }

  /** Forgets every token: ids restart at 0 and `generation` changes. */
  clear(): void {
    this.keys.length = 0;
    this.table = new Int32Array(4 * 2048);
    this.mask = 2047;
    this.pool = new Uint8Array(1 << 12);
    this.poolLength = 0;
    this.byteIds.fill(-1);
    this.generation++;
  }

  /**
   * Clears the interner when it holds more than `limit` tokens (a generation
   * reset: memory stays bounded whatever the texts, and a working set smaller
   * than the limit is interned again within a few calls). Tokenizers call it
   * before a text, never in the middle of one, so the ids of one result are
   * always of one generation. Returns whether it cleared.
   */
  trim(): boolean {
    if (this.keys.length <= this.limit) return false;
    this.clear();
    return true;
  }

  /** Id of `text.slice(start, end)` whose hash is `h` (see hashStep), adding it if new. */
  internSpan(text: string, start: number, end: number, h: number): number {
    const table = this.table;
    const len = end - start;
    let i = h & this.mask;
    for (;;) {
      const s = 4 * i;
      const slot = table[s + 1];
      if (slot === 0) break;
      if (table[s] === h && table[s + 3] === len) {
        const k = this.keys[slot - 1];
        if (text.startsWith(k, start)) return slot - 1;
      }
      i = (i + 1) & this.mask;
    }
    return this.insert(i, len === text.length ? text : text.slice(start, end), h);
  }

  /**
   * Id of the ASCII token `bytes[0, len)` whose hash is `h` (see hashStep, one
   * step per byte), adding it if new. `bytes` must hold only bytes < 0x80.
   */
  internBytes(bytes: Uint8Array, len: number, h: number): number {
    const table = this.table;
    const pool = this.pool;
    let i = h & this.mask;
    for (;;) {
      const s = 4 * i;
      const slot = table[s + 1];
      if (slot === 0) break;
      if (table[s] === h && table[s + 3] === len) {
        const start = table[s + 2];
        if (start >= 0) {
          let k = 0;
          while (k < len && pool[start + k] === bytes[k]) k++;
          if (k === len) return slot - 1;
        }
      }
      i = (i + 1) & this.mask;
    }
    return this.insertBytes(i, bytes, len, h);
  }

  /** Id of the one-character ASCII token `String.fromCharCode(c)` (c < 0x80), adding it if new. */
  internByte(c: number): number {
    const cached = this.byteIds[c];
    if (cached >= 0) return cached;
    this.one[0] = c;
    return (this.byteIds[c] = this.internBytes(this.one, 1, Math.imul(HASH_SEED ^ c, 0x01000193)));
  }

  /** Id of `token`, adding it if new. */
  intern(token: string): number {
    return this.internSpan(token, 0, token.length, hashString(token));
  }

  /** The tokens of `ids` (shared string instances). */
  tokens(ids: ArrayLike<number>): string[] {
    const keys = this.keys;
    const out = new Array<string>(ids.length);
    for (let k = 0; k < ids.length; k++) out[k] = keys[ids[k]];
    return out;
  }

  /** Id of `token`, or -1 when it was never interned. */
  find(token: string): number {
    const h = hashString(token);
    let i = h & this.mask;
    for (;;) {
      const slot = this.table[4 * i + 1];
      if (slot === 0) return -1;
      if (this.table[4 * i] === h && this.keys[slot - 1] === token) return slot - 1;
      i = (i + 1) & this.mask;
    }
  }

  private insertBytes(slotIndex: number, bytes: Uint8Array, len: number, h: number): number {
    // One flat string (concatenation would make cons strings, flattened again by every Map lookup).
    const key = Buffer.from(bytes.buffer, bytes.byteOffset, len).toString('latin1');
    return this.insert(slotIndex, key, h);
  }

  private insert(slotIndex: number, key: string, h: number): number {
    const id = this.keys.length;
    this.keys.push(key);
    const s = 4 * slotIndex;
    this.table[s] = h;
    this.table[s + 1] = id + 1;
    this.table[s + 2] = this.storeBytes(key);
    this.table[s + 3] = key.length;
    if ((id + 1) * 2 > this.mask + 1) this.rehash();
    return id;
  }

  /** Appends an ASCII key to the pool and returns where it starts; -1 (not stored) for other keys. */
  private storeBytes(key: string): number {
    const n = key.length;
    for (let k = 0; k < n; k++) if (key.charCodeAt(k) >= 0x80) return -1;
    if (this.poolLength + n > this.pool.length) {
      const grown = new Uint8Array(Math.max(this.pool.length * 2, this.poolLength + n));
      grown.set(this.pool.subarray(0, this.poolLength));
      this.pool = grown;
    }
    const start = this.poolLength;
    for (let k = 0; k < n; k++) this.pool[start + k] = key.charCodeAt(k);
    this.poolLength += n;
    return start;
  }

  private rehash(): void {
    const old = this.table;
    const slots = (this.mask + 1) * 2;
    const table = new Int32Array(slots * 4);
    const mask = slots - 1;
    for (let s = 0; s < old.length; s += 4) {
      if (old[s + 1] === 0) continue;
      let i = old[s] & mask;
      while (table[4 * i + 1] !== 0) i = (i + 1) & mask;
      const t = 4 * i;
      table[t] = old[s];
      table[t + 1] = old[s + 1];
      table[t + 2] = old[s + 2];
      table[t + 3] = old[s + 3];
    }
    this.table = table;
    this.mask = mask;
  }
}
