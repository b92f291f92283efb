/**
 * `Field` and `LabelField`, as legacy torchtext's: how raw values become
 * tokens (preprocess), how a vocabulary is built from datasets, and how a
 * minibatch of examples becomes padded token ids (the tensor itself is made by
 * `Batch`, see batch.ts).
 */
import type { DType } from '../tensor';
import { checkBytes, decodeUtf8 } from '../text/utf8';
import { checkBoolean, checkInteger, checkKeys, checkObject, invalid, optional } from '../validate';
import type { Fields } from './dataset';
import { DataError } from './errors';
import { TokenIds } from './token-ids';
import { TokenizerFn, TokenizerLike, getTokenizer, internedTokenizer } from './tokenizers';
import { Counter, Vocab, VocabOptions } from './vocab';
import { Vectors, vectorsTensor } from './vectors';
import type { UnkInit } from './vectors';

/** What `buildVocab` reads: a Dataset or anything with its fields and examples. */
export interface VocabSource {
  readonly fields: Fields;
  readonly examples: ReadonlyArray<object>;
}

export interface FieldOptions {
  /** Values are token sequences (default) or single values such as labels. */
  sequential?: boolean;
  /** Map tokens to ids through a vocabulary (default) or use numbers as they are. */
  useVocab?: boolean;
  /** 'spacy', 'basic_english', 'whitespace' (default, Python's str.split) or a function. */
  tokenize?: TokenizerLike;
  /** Accepted for parity with torchtext (`'en'`, `'en_core_web_sm'`); only English exists. */
  tokenizerLanguage?: string;
  /** Lower-case every token after tokenizing. */
  lower?: boolean;
  /** Batches also carry the unpadded lengths. */
  includeLengths?: boolean;
  /** Tensors are `[batch size, sent len]` instead of `[sent len, batch size]`. */
  batchFirst?: boolean;
  padToken?: string | null;
  unkToken?: string | null;
  initToken?: string | null;
  eosToken?: string | null;
  /** Pad or cut every example to this many tokens. */
  fixLength?: number | null;
  /** Pad at the start instead of the end. */
  padFirst?: boolean;
  /** Cut from the start instead of the end when `fixLength` is shorter. */
  truncateFirst?: boolean;
  /** dtype of the batch tensor; default 'int64' (torch.long). */
  dtype?: DType;
  /**
   * Applied to each value after tokenizing and lower-casing, before it is stored (torchtext's
   * `preprocessing`): token array in, token array out for sequential fields, e.g. `generateBigrams`.
   */
  preprocessing?: ((tokens: string[]) => string[]) | ((value: string) => string) | null;
}

const KNOWN = ['sequential', 'useVocab', 'tokenize', 'tokenizerLanguage', 'lower', 'includeLengths', 'batchFirst',
  'padToken', 'unkToken', 'initToken', 'eosToken', 'fixLength', 'padFirst', 'truncateFirst', 'dtype', 'preprocessing'] as const;
const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'int64', 'bool'];

function tokenOrNull(param: string, v: unknown): string | null {
  if (v === null || typeof v === 'string') return v;
  throw invalid(param, 'a string or null', v);
}

/** `src` as `[rows, cols]` row-major, transposed to `[cols, rows]`, 16 columns at a time. */
function transpose(src: Int32Array, rows: number, cols: number): Int32Array {
  const dst = new Int32Array(src.length);
  for (let c0 = 0; c0 < cols; c0 += 16) {
    const c1 = Math.min(c0 + 16, cols);
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      for (let c = c0; c < c1; c++) dst[c * rows + r] = src[base + c];
    }
  }
  return dst;
}

/** Token arrays counted with an id per token: the index of its word in `words` (first-seen order). */
interface CountedIds {
  counter: Counter;
  words: string[];
  arrays: Array<readonly string[]>;
  ids: Int32Array[];
}

/**
 * The Counter of token arrays that no interning tokenizer made (a user's own preprocessing, such as
 * tutorial 3's bigrams), remembering each token's word id on the way: one Map lookup per token, the
 * same counts in the same first-seen order as `Counter.update`.
 */
function countWithIds(arrays: Array<readonly string[]>): CountedIds {
  const index = new Map<string, number>();
  const words: string[] = [];
  const counts: number[] = [];
  const ids = arrays.map((tokens) => {
    const out = new Int32Array(tokens.length);
    for (let k = 0; k < tokens.length; k++) {
      let id = index.get(tokens[k]);
      if (id === undefined) {
        id = words.length;
        index.set(tokens[k], id);
        words.push(tokens[k]);
        counts.push(0);
      }
      counts[id]++;
      out[k] = id;
    }
    return out;
  });
  return { counter: Counter.fromArrays(words, counts), words, arrays, ids };
}

/**
 * Numericalizes the counted arrays once, through a word id -> vocabulary index table, so that no
 * epoch looks their tokens up again. Without `<unk>` an unknown token must fail where it is batched,
 * as before: then nothing is remembered.
 */
function rememberIds(vocab: Vocab, counted: CountedIds): void {
  if (vocab.unkIndex === null) return;
  const table = Int32Array.from(counted.words, (w) => vocab.stoi.get(w));
  counted.arrays.forEach((tokens, i) => {
    const ids = counted.ids[i];
    for (let k = 0; k < ids.length; k++) ids[k] = table[ids[k]];
    vocab.rememberIndices(tokens, ids);
  });
}

/** Padded ids of one minibatch of sequential values, laid out as the tensor will be. */
export interface PaddedIds {
  /** Row-major ids: `[maxLen, batch]` or, when batchFirst, `[batch, maxLen]`. */
  ids: Int32Array;
  shape: [number, number];
  /** Tokens per example before padding (init/eos included). */
  lengths: Int32Array;
}

export interface BuildVocabOptions extends VocabOptions {
  /** Pretrained vectors for `vocab.vectors` (torchtext's `vectors`): one Vectors or several side by side. */
  vectors?: Vectors | Vectors[];
  /** Rows of words without a pretrained vector (default zeros; the tutorial: normal, as torch.Tensor.normal_). */
  unkInit?: UnkInit;
}

export class Field {
  readonly sequential: boolean;
  readonly useVocab: boolean;
  readonly tokenizer: TokenizerFn;
  readonly lower: boolean;
  readonly includeLengths: boolean;
  readonly batchFirst: boolean;
  readonly padToken: string | null;
  readonly unkToken: string | null;
  readonly initToken: string | null;
  readonly eosToken: string | null;
  readonly fixLength: number | null;
  readonly padFirst: boolean;
  readonly truncateFirst: boolean;
  readonly dtype: DType;
  readonly preprocessing: ((value: never) => unknown) | null;
  /** Set by `buildVocab`. */
  vocab: Vocab | undefined;
  /** Interner ids of the token arrays this field makes ('basic_english', 'spacy'; not with `lower`). */
  private readonly tokenIds: TokenIds | undefined;

  constructor(options?: FieldOptions) {
    const o = checkObject('options', options);
    checkKeys('Field options', o, KNOWN);
    this.sequential = optional(o.sequential, true, (v) => checkBoolean('options.sequential', v));
    this.useVocab = optional(o.useVocab, true, (v) => checkBoolean('options.useVocab', v));
    this.tokenizer = getTokenizer(o.tokenize as TokenizerLike | undefined);
    if (o.tokenizerLanguage !== undefined && !(typeof o.tokenizerLanguage === 'string' && /^en(_|$)/.test(o.tokenizerLanguage))) {
      throw invalid('options.tokenizerLanguage', "an English model name such as 'en' or 'en_core_web_sm'", o.tokenizerLanguage);
    }
    this.lower = optional(o.lower, false, (v) => checkBoolean('options.lower', v));
    this.includeLengths = optional(o.includeLengths, false, (v) => checkBoolean('options.includeLengths', v));
    this.batchFirst = optional(o.batchFirst, false, (v) => checkBoolean('options.batchFirst', v));
    // torchtext: pad_token = pad_token if sequential else None
    const padToken = optional<string | null>(o.padToken, '<pad>', (v) => tokenOrNull('options.padToken', v));
    this.padToken = this.sequential ? padToken : null;
    this.unkToken = optional<string | null>(o.unkToken, '<unk>', (v) => tokenOrNull('options.unkToken', v));
    this.initToken = optional<string | null>(o.initToken, null, (v) => tokenOrNull('options.initToken', v));
    this.eosToken = optional<string | null>(o.eosToken, null, (v) => tokenOrNull('options.eosToken', v));
    this.fixLength = optional<number | null>(o.fixLength, null, (v) => (v === null ? null : checkInteger('options.fixLength', v, 1)));
    this.padFirst = optional(o.padFirst, false, (v) => checkBoolean('options.padFirst', v));
    this.truncateFirst = optional(o.truncateFirst, false, (v) => checkBoolean('options.truncateFirst', v));
    this.dtype = optional(o.dtype, 'int64' as DType, (v) => {
      if (!DTYPES.includes(v as DType)) throw invalid('options.dtype', `one of ${DTYPES.join(', ')}`, v);
      return v as DType;
    });
    this.preprocessing = optional(o.preprocessing, null, (v) => {
      if (v !== null && typeof v !== 'function') throw invalid('options.preprocessing', 'a function or null', v);
      return v as ((value: never) => unknown) | null;
    });
    if (this.sequential && this.padToken === null) {
      throw invalid('options.padToken', 'a string for a sequential field (batches need padding)', null);
    }
    const interned = this.sequential && !this.lower ? internedTokenizer(this.tokenizer) : undefined;
    this.tokenIds = interned === undefined ? undefined : new TokenIds(interned);
  }

  /** Raw value -> what an example stores: tokens for sequential fields, the value itself otherwise. */
  preprocess(x: string): string[] | string {
    return this.applyPreprocessing(this.tokens(x));
  }

  private tokens(x: string): string[] | string {
    if (typeof x !== 'string') throw invalid('x', 'a string', x);
    if (!this.sequential) return this.lower ? x.toLowerCase() : x;
    let end = x.length;
    while (end > 0 && x.charCodeAt(end - 1) === 10) end--; // torchtext: x.rstrip('\n')
    const text = end === x.length ? x : x.slice(0, end);
    const interned = this.tokenIds?.tokenize(text);
    if (interned !== undefined) return interned;
    const tokens = this.tokenizer(text);
    if (!Array.isArray(tokens)) throw invalid('tokenize(x)', 'an array of strings', tokens);
    if (this.lower) for (let i = 0; i < tokens.length; i++) tokens[i] = tokens[i].toLowerCase();
    return tokens;
  }

  /**
   * `preprocess` of the UTF-8 text in `bytes`. With the 'basic_english'
   * tokenizer the bytes are tokenized without being decoded (same tokens);
   * otherwise they are decoded and passed to `preprocess`.
   */
  preprocessBytes(bytes: Uint8Array): string[] | string {
    checkBytes(bytes);
    // rstrip('\n') needs no care here: '\n' separates tokens and is dropped by basic_english.
    const tokens = this.tokenIds?.tokenizeBytes(bytes);
    return tokens === undefined ? this.preprocess(decodeUtf8(bytes)) : this.applyPreprocessing(tokens);
  }

  /**
   * @internal For `IMDB.splits`: the interner ids of the tokens of the UTF-8 `bytes`, when this field
   * can keep an example's tokens as ids until they are read (see `setLazyTokens`): an interned
   * tokenizer ('basic_english' reads the bytes, 'spacy' the decoded text), no `lower` and no
   * `preprocessing`. Else undefined: use `preprocessBytes`.
   */
  tokenIdsOfBytes(bytes: Uint8Array): Int32Array | undefined {
    if (this.preprocessing !== null || this.tokenIds === undefined) return undefined;
    checkBytes(bytes);
    return this.tokenIds.idsOfBytes(bytes);
  }

  /**
   * @internal Makes `example[name]` the tokens of `ids` (from `tokenIdsOfBytes`): the same array
   * `preprocessBytes` returns, made on first read. Until then `buildVocab` and the batches read the ids.
   */
  setLazyTokens(example: object, name: string, ids: Int32Array): void {
    if (this.tokenIds === undefined || !(ids instanceof Int32Array)) {
      throw invalid('ids', "token ids from this field's tokenIdsOfBytes (a field with an interned tokenizer)", ids);
    }
    if (typeof example !== 'object' || example === null) throw invalid('example', 'an object', example);
    this.tokenIds.lazy(example, name, ids);
  }

  private applyPreprocessing(value: string[] | string): string[] | string {
    if (this.preprocessing === null) return value;
    const out = (this.preprocessing as (v: string[] | string) => unknown)(value);
    if (this.sequential ? !Array.isArray(out) : typeof out !== 'string') {
      throw invalid('preprocessing(x)', this.sequential ? 'an array of tokens' : 'a string', out);
    }
    return out as string[] | string;
  }

  /** Specials in torchtext's order: unk, pad, init, eos, then extra ones; duplicates and nulls dropped. */
  specials(extra: readonly string[] = []): string[] {
    const all = [this.unkToken, this.padToken, this.initToken, this.eosToken, ...extra];
    return [...new Set(all.filter((t): t is string => t !== null))];
  }

  /**
   * Counts this field's values in `datasets` and builds `this.vocab`.
   * `options.specials` are added after the field's own (`<unk>`, `<pad>`, ...).
   */
  buildVocab(datasets: VocabSource | VocabSource[], options?: BuildVocabOptions): Vocab {
    const list = Array.isArray(datasets) ? datasets : [datasets];
    const o = checkObject('options', options);
    for (const ds of list) {
      if (!ds || typeof ds !== 'object' || !('fields' in ds) || !('examples' in ds)) {
        throw invalid('datasets', 'a Dataset or an array of Datasets', ds);
      }
    }
    // Tokens not made yet (IMDB.splits) are counted by their ids, unless a value the interner did not
    // make needs the string path: then every value is read.
    const gather = (lazy: boolean) => {
      const values: unknown[] = [];
      const ids: Array<Int32Array | undefined> = [];
      let pending = false;
      for (const ds of list) {
        const names = Object.entries(ds.fields).filter(([, f]) => f === this).map(([n]) => n);
        for (const name of names) {
          for (const ex of ds.examples) {
            const p = lazy ? this.tokenIds?.pending(ex, name) : undefined;
            if (p !== undefined) pending = true;
            values.push(p === undefined ? (ex as Record<string, unknown>)[name] : undefined);
            ids.push(p);
          }
        }
      }
      return { values, ids: pending ? ids : undefined };
    };
    const gathered = gather(true);
    let values = gathered.values;
    const ids = gathered.ids;
    let counter = this.tokenIds?.count(values, ids);
    if (counter === undefined && ids !== undefined) values = gather(false).values;
    let counted: CountedIds | undefined;
    if (counter === undefined && this.sequential && values.every(Array.isArray)) {
      counted = countWithIds(values as string[][]);
      counter = counted.counter;
    }
    if (counter === undefined) {
      counter = new Counter();
      for (const v of values) {
        if (this.sequential) counter.update(v as string[]);
        else counter.update([v as string]);
      }
    }
    const extra = optional(o.specials, [] as string[], (v) => {
      if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw invalid('options.specials', 'an array of strings', v);
      return v as string[];
    });
    const { vectors, unkInit, ...vocabOptions } = o;
    if (vectors === undefined && unkInit !== undefined) throw invalid('options.unkInit', 'undefined without options.vectors', unkInit);
    this.vocab = new Vocab(counter, { ...vocabOptions, specials: this.specials(extra) } as VocabOptions);
    this.tokenIds?.freeze();
    if (counted !== undefined) rememberIds(this.vocab, counted);
    if (vectors !== undefined) this.vocab.vectors = vectorsTensor(this.vocab.itos, vectors as Vectors | Vectors[], unkInit as UnkInit | undefined);
    return this.vocab;
  }

  /**
   * Writes the vocabulary indices of `tokens[from, from + count)` to `out` from `at`: through the
   * interner ids when this field made the array, else by lookups (`cached`: remembered per array,
   * for the batches of later epochs).
   */
  private writeIndices(vocab: Vocab, tokens: readonly string[], from: number, count: number, out: Int32Array, at: number,
    cached: boolean): void {
    if (this.tokenIds?.write(vocab, tokens, from, count, out, at)) return;
    const all = cached ? vocab.cachedIndices(tokens) : vocab.lookupIndices(tokens);
    out.set(all.subarray(from, from + count), at);
  }

  private requireVocab(): Vocab {
    if (this.vocab === undefined) throw new DataError('VOCAB_NOT_BUILT', 'Field has no vocabulary yet: call field.buildVocab(trainData) first');
    return this.vocab;
  }

  /** Token ids of one example (no padding). */
  numericalizeTokens(tokens: readonly string[]): Int32Array {
    const out = new Int32Array(tokens.length);
    this.writeIndices(this.requireVocab(), tokens, 0, tokens.length, out, 0, false);
    return out;
  }

  /**
   * Pads and numericalizes a minibatch of token lists into one row-major id
   * array, exactly as torchtext's `Field.pad` followed by `numericalize`.
   * Pure: no tensors involved.
   */
  padIds(minibatch: ReadonlyArray<readonly string[]>): PaddedIds {
    return this.pad(minibatch, undefined);
  }

  /**
   * @internal `padIds` of `examples[i][name]`, reading the ids of tokens not made yet (IMDB.splits)
   * instead of making them.
   */
  padExamples(examples: ReadonlyArray<object>, name: string, minLength = 0): PaddedIds {
    const lists = new Array<readonly string[]>(examples.length);
    let ids: Array<Int32Array | undefined> | undefined;
    for (let b = 0; b < examples.length; b++) {
      const p = this.tokenIds?.pending(examples[b], name);
      if (p !== undefined) {
        ids ??= new Array<Int32Array | undefined>(examples.length).fill(undefined);
        ids[b] = p;
      } else {
        lists[b] = (examples[b] as Record<string, readonly string[]>)[name];
      }
    }
    return this.pad(lists, ids, minLength);
  }

  /** @internal How many tokens `example[name]` has (what padding counts), without making pending tokens. */
  exampleLength(example: object, name: string): number {
    return this.tokenIds?.pending(example, name)?.length ?? (example as Record<string, readonly string[]>)[name].length;
  }

  /** padIds, where `ids[b]` (when given) stands for `minibatch[b]`: the interner ids of its tokens. */
  private pad(minibatch: ReadonlyArray<readonly string[]>, ids: ReadonlyArray<Int32Array | undefined> | undefined, minLength = 0): PaddedIds {
    if (!this.sequential) throw new DataError('NOT_SEQUENTIAL', 'padIds: the field is not sequential');
    const vocab = this.requireVocab();
    const stoi = vocab.stoi;
    const bs = minibatch.length;
    const extra = (this.initToken === null ? 0 : 1) + (this.eosToken === null ? 0 : 1);
    const lengthOf = (b: number) => ids?.[b]?.length ?? minibatch[b].length;
    let maxLen: number;
    if (this.fixLength === null) {
      // minLength: a data-parallel rank's part of a batch pads as the whole batch does (BucketIterator).
      maxLen = minLength;
      for (let b = 0; b < bs; b++) maxLen = Math.max(maxLen, lengthOf(b));
    } else {
      maxLen = this.fixLength - extra;
    }
    const rowLen = maxLen + extra;
    const pad = stoi.get(this.padToken as string);
    const init = this.initToken === null ? -1 : stoi.get(this.initToken);
    const eos = this.eosToken === null ? -1 : stoi.get(this.eosToken);
    const lengths = new Int32Array(bs);
    // One example per row ([batch, len]), then transposed in tiles when the layout is [len, batch].
    const rows = new Int32Array(rowLen * bs);
    for (let b = 0; b < bs; b++) {
      const length = lengthOf(b);
      const kept = Math.min(length, maxLen);
      const from = this.truncateFirst ? length - kept : 0;
      const padCount = Math.max(0, maxLen - length);
      let k = b * rowLen;
      if (this.padFirst) for (let p = 0; p < padCount; p++) rows[k++] = pad;
      if (init >= 0) rows[k++] = init;
      const tokenIds = ids?.[b];
      if (tokenIds !== undefined) (this.tokenIds as TokenIds).writeIds(vocab, tokenIds, from, kept, rows, k);
      else this.writeIndices(vocab, minibatch[b], from, kept, rows, k, true);
      k += kept;
      if (eos >= 0) rows[k++] = eos;
      if (!this.padFirst) for (let p = 0; p < padCount; p++) rows[k++] = pad;
      lengths[b] = rowLen - padCount;
    }
    const out = this.batchFirst ? rows : transpose(rows, bs, rowLen);
    return { ids: out, shape: this.batchFirst ? [bs, rowLen] : [rowLen, bs], lengths };
  }

  /** Values of a non-sequential field (labels) as numbers: vocabulary ids, or the numbers themselves. */
  valueIds(values: readonly unknown[]): Float64Array {
    const out = new Float64Array(values.length);
    if (this.useVocab) {
      const stoi = this.requireVocab().stoi;
      for (let i = 0; i < values.length; i++) out[i] = stoi.get(values[i] as string);
    } else {
      for (let i = 0; i < values.length; i++) {
        const v = Number(values[i]);
        if (!Number.isFinite(v)) throw invalid(`values[${i}]`, 'a number (useVocab is false)', values[i]);
        out[i] = v;
      }
    }
    return out;
  }
}

/** torchtext's LabelField: not sequential, no `<unk>` and no padding. */
export class LabelField extends Field {
  constructor(options?: Omit<FieldOptions, 'sequential' | 'unkToken'>) {
    const o = checkObject('options', options);
    super({ ...o, sequential: false, unkToken: null });
  }
}
