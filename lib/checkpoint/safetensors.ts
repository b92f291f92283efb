// safetensors (https://github.com/huggingface/safetensors): an 8-byte little-endian header length N, N
// bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}, then the
// tensors' bytes, row-major and little-endian. Reading follows the format's own validation: a capped
// header, a JSON object starting with '{', known dtypes, byte lengths that match dtype and shape, and
// offsets that tile the data area exactly (in bounds, no gaps, no overlaps).
import type { Tensor } from '../tensor';
import type { Fail } from './zip';
import { bySafetensors, unsupportedDtype, SUPPORTED_LIST } from './dtypes';
import type { DtypeInfo } from './dtypes';
import { contiguousStrides, materialize } from './validate';
import type { TensorSpec } from './validate';

/** The largest header accepted, as the safetensors library's own limit. */
export const MAX_HEADER_BYTES = 100_000_000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when the bytes look like a safetensors file (a plausible header length, then '{'). */
export function isSafetensors(buf: Buffer): boolean {
  if (buf.length < 10) return false;
  const n = buf.readBigUInt64LE(0);
  return n >= 2n && n <= BigInt(buf.length - 8) && buf[8] === 0x7b;
}

export function readSafetensors(buf: Buffer, fail: Fail): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  if (buf.length < 8) fail('ERR_CHECKPOINT_FORMAT', `a safetensors file of ${buf.length} bytes has no header`);
  const n64 = buf.readBigUInt64LE(0);
  if (n64 > BigInt(MAX_HEADER_BYTES)) fail('ERR_CHECKPOINT_LIMIT', `safetensors header of ${n64} bytes (at most ${MAX_HEADER_BYTES})`);
  const n = Number(n64);
  if (8 + n > buf.length) fail('ERR_CHECKPOINT_FORMAT', `safetensors header of ${n} bytes runs past the end of the file (${buf.length} bytes)`);
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + n));
    if (!text.startsWith('{')) throw new Error("the header does not start with '{'");
    header = JSON.parse(text);
  } catch (e) {
    return fail('ERR_CHECKPOINT_FORMAT', `safetensors header is not a JSON object: ${(e as Error).message}`);
  }
  if (!isObject(header)) return fail('ERR_CHECKPOINT_FORMAT', 'safetensors header is not a JSON object');
  const dataStart = 8 + n;
  const dataLength = buf.length - dataStart;
  const metadata: Record<string, string> = Object.create(null);
  const entries: Array<{ name: string; info: DtypeInfo; sizes: number[]; begin: number; end: number }> = [];
  for (const name of Object.keys(header)) {
    const value = header[name];
    const where = `safetensors tensor ${JSON.stringify(name)}`;
    if (name === '__metadata__') {
      if (!isObject(value)) fail('ERR_CHECKPOINT_FORMAT', 'safetensors __metadata__ is not an object of strings');
      for (const k of Object.keys(value as object)) {
        const v = (value as Record<string, unknown>)[k];
        if (typeof v !== 'string') fail('ERR_CHECKPOINT_FORMAT', `safetensors __metadata__[${JSON.stringify(k)}] is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    if (!isObject(value)) return fail('ERR_CHECKPOINT_FORMAT', `${where} is not an object`);
    const keys = Object.keys(value).sort().join(',');
    if (keys !== 'data_offsets,dtype,shape') fail('ERR_CHECKPOINT_FORMAT', `${where} has fields ${keys} (expected dtype, shape, data_offsets)`);
    const { dtype, shape, data_offsets: offsets } = value as { dtype: unknown; shape: unknown; data_offsets: unknown };
    if (typeof dtype !== 'string') return fail('ERR_CHECKPOINT_FORMAT', `${where}: dtype is not a string`);
    const info = bySafetensors(dtype);
    if (!info) {
      const known = unsupportedDtype(dtype);
      return fail('ERR_CHECKPOINT_DTYPE', `${where} has dtype ${JSON.stringify(dtype.slice(0, 20))}${known ? ` (${known})` : ''}, which this library does not support (supported: ${SUPPORTED_LIST})`);
    }
    const intList = (v: unknown, what: string, length?: number): number[] => {
      if (!Array.isArray(v) || (length !== undefined && v.length !== length) || v.length > 64 || !v.every((x) => Number.isSafeInteger(x) && x >= 0)) {
        return fail('ERR_CHECKPOINT_FORMAT', `${where}: ${what} is not ${length ? `[begin, end]` : 'a list of at most 64'} non-negative integers`);
      }
      return v as number[];
    };
    const sizes = intList(shape, 'shape');
    const [begin, end] = intList(offsets, 'data_offsets', 2);
    if (begin > end || end > dataLength) fail('ERR_CHECKPOINT_STORAGE', `${where}: data_offsets [${begin}, ${end}] lie outside the data area of ${dataLength} bytes`);
    let numel = 1;
    for (const s of sizes) numel *= s;
    if (!Number.isSafeInteger(numel * info.size) || numel * info.size !== end - begin) {
      fail('ERR_CHECKPOINT_STORAGE', `${where}: shape [${sizes.join(', ')}] of ${info.dtype} needs ${numel * info.size} bytes but data_offsets give ${end - begin}`);
    }
    entries.push({ name, info, sizes, begin, end });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) fail('ERR_CHECKPOINT_STORAGE', `safetensors tensor ${JSON.stringify(e.name)} starts at byte ${e.begin} of the data area, expected ${at} (tensors must tile it without gaps or overlaps)`);
    at = e.end;
  }
  if (at !== dataLength) fail('ERR_CHECKPOINT_STORAGE', `safetensors data area has ${dataLength} bytes but its tensors cover ${at}`);
  const specs: TensorSpec[] = entries.map((e) => ({
    where: `safetensors tensor ${JSON.stringify(e.name)}`,
    info: e.info,
    byteOffset: dataStart + e.begin,
    byteLength: e.end - e.begin,
    storageOffset: 0,
    sizes: e.sizes,
    strides: contiguousStrides(e.sizes),
    requiresGrad: false,
  }));
  const made = materialize(buf, specs, fail);
  const tensors: Record<string, Tensor> = Object.create(null);
  entries.forEach((e, i) => (tensors[e.name] = made[i]));
  return { tensors, metadata };
}

export interface SafetensorsEntry {
  name: string;
  info: DtypeInfo;
  sizes: number[];
  size: number;
  bytes: () => Uint8Array;
}

/** Writes tensors in the order given, the header padded with spaces to a multiple of 8 bytes. */
export function writeSafetensors(entries: SafetensorsEntry[], metadata: Record<string, string> | undefined, write: (chunk: Uint8Array) => void): void {
  const header: Record<string, unknown> = Object.create(null);
  if (metadata && Object.keys(metadata).length) header.__metadata__ = metadata;
  let at = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.info.safetensors, shape: e.sizes, data_offsets: [at, at + e.size] };
    at += e.size;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(json.length));
  write(head);
  write(json);
  for (const e of entries) {
    const bytes = e.bytes();
    if (bytes.length !== e.size) throw new Error(`tensor ${e.name}: ${bytes.length} bytes, expected ${e.size}`);
    write(bytes);
  }
}
