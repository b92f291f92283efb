// The zip container of torch.save (PyTorch >= 1.6): stored (uncompressed) entries, zip64 for large files.
// Reading trusts nothing: every offset and length is checked against the file before it is used, and
// each entry's CRC-32 is verified when it is read. Writing lays entries out as PyTorch's writer does
// (each data entry aligned to 64 bytes with an "FB" padding field), so torch.load can map them.
import * as zlib from 'zlib';
import type { CheckpointErrorCode } from '../errors';

export type Fail = (code: CheckpointErrorCode, message: string) => never;

export interface ZipEntry {
  name: string;
  /** Where the entry's bytes start in the file. */
  offset: number;
  size: number;
  crc: number;
}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const END64 = 0x06064b50;
const LOCATOR64 = 0x07064b50;
const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;

// ------------------------------------------------------------------------------------------------ crc

let table: Int32Array | null = null;
function crc32Js(data: Uint8Array): number {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** CRC-32 of the bytes: zlib's (Node >= 20.15), else a table-driven one. */
export function crc32(data: Uint8Array): number {
  const native = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
  return native ? native(data) >>> 0 : crc32Js(data);
}

// ---------------------------------------------------------------------------------------------- read

function u64(buf: Buffer, at: number, what: string, fail: Fail): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('ERR_CHECKPOINT_ZIP', `${what} ${v} is beyond any file`);
  return Number(v);
}

/**
 * The entries of a zip archive, by name. Refuses what PyTorch never writes and what could make a reader
 * look outside the file: compressed or encrypted entries, multi-disk archives, duplicate names, entries
 * that overlap each other or the central directory, sizes or offsets past the end.
 */
export function readZip(buf: Buffer, fail: Fail): Map<string, ZipEntry> {
  const len = buf.length;
  // The end record is in the last 22 + 65,535 bytes (its comment is at most 65,535 bytes).
  let end = -1;
  for (let p = len - 22; p >= 0 && p >= len - 22 - U16_MAX; p--) {
    if (buf.readUInt32LE(p) === END && p + 22 + buf.readUInt16LE(p + 20) === len) {
      end = p;
      break;
    }
  }
  if (end < 0) fail('ERR_CHECKPOINT_ZIP', 'not a complete zip archive (no end-of-central-directory record; truncated?)');
  if (buf.readUInt16LE(end + 4) !== 0 || buf.readUInt16LE(end + 6) !== 0) fail('ERR_CHECKPOINT_ZIP', 'multi-disk zip archives are not supported');
  let count = buf.readUInt16LE(end + 10);
  let cdSize = buf.readUInt32LE(end + 12);
  let cdOffset = buf.readUInt32LE(end + 16);
  let cdLimit = end; // the central directory ends before the end record(s)
  if (end >= 20 && buf.readUInt32LE(end - 20) === LOCATOR64) {
    const at = u64(buf, end - 12, 'zip64 end record offset', fail);
    if (at + 56 > end - 20 || buf.readUInt32LE(at) !== END64) fail('ERR_CHECKPOINT_ZIP', 'the zip64 end record is missing or out of place');
    if (buf.readUInt32LE(at + 16) !== 0 || buf.readUInt32LE(at + 20) !== 0) fail('ERR_CHECKPOINT_ZIP', 'multi-disk zip archives are not supported');
    count = u64(buf, at + 32, 'zip64 entry count', fail);
    cdSize = u64(buf, at + 40, 'zip64 central directory size', fail);
    cdOffset = u64(buf, at + 48, 'zip64 central directory offset', fail);
    cdLimit = at;
  } else if (count === U16_MAX || cdSize === U32_MAX || cdOffset === U32_MAX) {
    fail('ERR_CHECKPOINT_ZIP', 'the end record asks for zip64 but there is no zip64 locator');
  }
  if (cdOffset + cdSize > cdLimit) fail('ERR_CHECKPOINT_ZIP', `the central directory (offset ${cdOffset}, ${cdSize} bytes) runs past its end record`);
  if (count > cdSize / 46) fail('ERR_CHECKPOINT_ZIP', `${count} entries cannot fit in a central directory of ${cdSize} bytes`);

  const entries = new Map<string, ZipEntry>();
  const spans: Array<[number, number]> = [];
  let p = cdOffset;
  const cdEnd = cdOffset + cdSize;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdEnd || buf.readUInt32LE(p) !== CENTRAL) fail('ERR_CHECKPOINT_ZIP', `central directory entry ${i} is malformed`);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    let compressed = buf.readUInt32LE(p + 20);
    let size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let local = buf.readUInt32LE(p + 42);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cdEnd) fail('ERR_CHECKPOINT_ZIP', `central directory entry ${i} runs past the directory`);
    const name = buf.toString('latin1', p + 46, p + 46 + nameLen);
    if (flags & 0x41) fail('ERR_CHECKPOINT_ZIP', `entry ${JSON.stringify(name)} is encrypted`);
    if (method !== 0) fail('ERR_CHECKPOINT_ZIP', `entry ${JSON.stringify(name)} is compressed (method ${method}); torch.save stores entries uncompressed`);
    // zip64 extended information: the 64-bit values of the fields that read 0xFFFFFFFF, in this order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = buf.readUInt16LE(e);
      const n = buf.readUInt16LE(e + 2);
      if (e + 4 + n > extraEnd) fail('ERR_CHECKPOINT_ZIP', `entry ${JSON.stringify(name)} has a malformed extra field`);
      if (id === 0x0001) {
        let q = e + 4;
        const take = (what: string): number => {
          if (q + 8 > e + 4 + n) fail('ERR_CHECKPOINT_ZIP', `entry ${JSON.stringify(name)}: zip64 field lacks its ${what}`);
          const v = u64(buf, q, `zip64 ${what}`, fail);
          q += 8;
          return v;
        };
        if (size === U32_MAX) size = take('size');
        if (compressed === U32_MAX) compressed = take('compressed size');
        if (local === U32_MAX) local = take('offset');
      }
      e += 4 + n;
    }
    if (compressed !== size) fail('ERR_CHECKPOINT_ZIP', `entry ${JSON.stringify(name)}: stored size ${compressed} differs from its size ${size}`);
    if (local + 30 > cdOffset || buf.readUInt32LE(local) !== LOCAL) fail('ERR_CHECKPOINT_ZIP', `entry ${JSON.stringify(name)}: no local header at offset ${local}`);
    const localNameLen = buf.readUInt16LE(local + 26);
    const localExtraLen = buf.readUInt16LE(local + 28);
    const offset = local + 30 + localNameLen + localExtraLen;
    if (localNameLen !== nameLen || buf.toString('latin1', local + 30, local + 30 + nameLen) !== name) {
      fail('ERR_CHECKPOINT_ZIP', `entry ${JSON.stringify(name)}: its local header names another entry`);
    }
    if (offset + size > cdOffset) fail('ERR_CHECKPOINT_ZIP', `entry ${JSON.stringify(name)} (${size} bytes at ${offset}) runs past the data area`);
    if (entries.has(name)) fail('ERR_CHECKPOINT_ZIP', `entry ${JSON.stringify(name)} appears twice`);
    entries.set(name, { name, offset, size, crc });
    spans.push([local, offset + size]);
    p = next;
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) fail('ERR_CHECKPOINT_ZIP', 'two entries overlap');
  }
  return entries;
}

/** An entry's bytes (a view into the file), after checking its CRC-32. */
export function entryBytes(buf: Buffer, entry: ZipEntry, fail: Fail): Buffer {
  const bytes = buf.subarray(entry.offset, entry.offset + entry.size);
  if (crc32(bytes) !== entry.crc) fail('ERR_CHECKPOINT_ZIP', `entry ${JSON.stringify(entry.name)} fails its CRC-32 check (the file is corrupt)`);
  return bytes;
}

// --------------------------------------------------------------------------------------------- write

/** One entry to write: its bytes, or a function giving them when its turn comes (to bound memory). */
export interface ZipSource {
  name: string;
  size: number;
  bytes: () => Uint8Array;
}

/**
 * Writes a zip of stored entries through `write` (called in file order), the way PyTorch's writer does:
 * data aligned to 64 bytes, zip64 records where a size or offset needs them (or everywhere when
 * `forceZip64`, so tests can check the zip64 path without writing 4 GB).
 */
export function writeZip(sources: ZipSource[], write: (chunk: Uint8Array) => void, forceZip64 = false): void {
  const central: Buffer[] = [];
  let pos = 0;
  const emit = (chunk: Uint8Array): void => {
    write(chunk);
    pos += chunk.length;
  };
  for (const source of sources) {
    const name = Buffer.from(source.name, 'latin1');
    const data = source.bytes();
    if (data.length !== source.size) throw new Error(`zip entry ${source.name}: ${data.length} bytes, expected ${source.size}`);
    const crc = crc32(data);
    const offset = pos;
    const zip64 = forceZip64 || data.length >= U32_MAX || offset >= U32_MAX;
    const z64Len = zip64 ? 20 : 0; // id, length, size, compressed size
    const before = offset + 30 + name.length + z64Len + 4;
    const pad = (64 - (before % 64)) % 64;
    const local = Buffer.alloc(30 + name.length + z64Len + 4 + pad);
    local.writeUInt32LE(LOCAL, 0);
    local.writeUInt16LE(zip64 ? 45 : 20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(zip64 ? U32_MAX : data.length, 18);
    local.writeUInt32LE(zip64 ? U32_MAX : data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(z64Len + 4 + pad, 28);
    name.copy(local, 30);
    let q = 30 + name.length;
    if (zip64) {
      local.writeUInt16LE(0x0001, q);
      local.writeUInt16LE(16, q + 2);
      local.writeBigUInt64LE(BigInt(data.length), q + 4);
      local.writeBigUInt64LE(BigInt(data.length), q + 12);
      q += 20;
    }
    local.write('FB', q, 'latin1');
    local.writeUInt16LE(pad, q + 2);
    local.fill('Z', q + 4);
    emit(local);
    emit(data);

    const c64 = zip64 ? 28 : 0; // id, length, size, compressed size, offset
    const entry = Buffer.alloc(46 + name.length + c64);
    entry.writeUInt32LE(CENTRAL, 0);
    entry.writeUInt16LE(zip64 ? 45 : 20, 4);
    entry.writeUInt16LE(zip64 ? 45 : 20, 6);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(zip64 ? U32_MAX : data.length, 20);
    entry.writeUInt32LE(zip64 ? U32_MAX : data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt16LE(c64, 30);
    entry.writeUInt32LE(zip64 ? U32_MAX : offset, 42);
    name.copy(entry, 46);
    if (zip64) {
      const z = 46 + name.length;
      entry.writeUInt16LE(0x0001, z);
      entry.writeUInt16LE(24, z + 2);
      entry.writeBigUInt64LE(BigInt(data.length), z + 4);
      entry.writeBigUInt64LE(BigInt(data.length), z + 12);
      entry.writeBigUInt64LE(BigInt(offset), z + 20);
    }
    central.push(entry);
  }
  const cdOffset = pos;
  for (const entry of central) emit(entry);
  const cdSize = pos - cdOffset;
  const zip64 = forceZip64 || sources.length >= U16_MAX || cdOffset >= U32_MAX || cdSize >= U32_MAX;
  if (zip64) {
    const end64At = pos;
    const end64 = Buffer.alloc(56 + 20);
    end64.writeUInt32LE(END64, 0);
    end64.writeBigUInt64LE(44n, 4);
    end64.writeUInt16LE(45, 12);
    end64.writeUInt16LE(45, 14);
    end64.writeBigUInt64LE(BigInt(sources.length), 24);
    end64.writeBigUInt64LE(BigInt(sources.length), 32);
    end64.writeBigUInt64LE(BigInt(cdSize), 40);
    end64.writeBigUInt64LE(BigInt(cdOffset), 48);
    end64.writeUInt32LE(LOCATOR64, 56);
    end64.writeBigUInt64LE(BigInt(end64At), 64);
    end64.writeUInt32LE(1, 72);
    emit(end64);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END, 0);
  end.writeUInt16LE(zip64 ? U16_MAX : sources.length, 8);
  end.writeUInt16LE(zip64 ? U16_MAX : sources.length, 10);
  end.writeUInt32LE(zip64 ? U32_MAX : cdSize, 12);
  end.writeUInt32LE(zip64 ? U32_MAX : cdOffset, 16);
  emit(end);
}
