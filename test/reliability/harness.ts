// The reliability suite's tools: real PyTorch checkpoints (make_checkpoints.py), a small pickle assembler
// and zip writer for crafted files, and a runner that loads files in child processes (batched, restarted
// after a crash) and counts what happened.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeZip } from '../../lib/checkpoint/zip';
import { PYTHON, REPO_ROOT } from '../helpers/parity';
import type { ChildResult } from './child';

export const MAKE_CHECKPOINTS = path.join(__dirname, 'make_checkpoints.py');

/** Why the Python-backed tests cannot run here, or null when /usr/bin/python3 has torch. */
export function pythonTorchMissing(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return `${PYTHON} cannot run (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} has no torch (${r.stderr.trim().split('\n').pop()})`;
  return null;
}

export function python(args: string[]): { status: number; out: string } {
  const r = spawnSync(PYTHON, [MAKE_CHECKPOINTS, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, out: r.stdout + r.stderr };
}

export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `torch-sentiment-${tag}-`));
}

// ------------------------------------------------------------------------------------ crafting files

/** Pickle bytes from opcodes: numbers are bytes, strings latin1, Buffers as they are. */
export function bytes(...parts: Array<number | string | Uint8Array>): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'number' ? Buffer.from([p]) : typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
}

export const op = {
  PROTO2: bytes(0x80, 2),
  MARK: '(',
  STOP: '.',
  EMPTY_DICT: '}',
  EMPTY_LIST: ']',
  EMPTY_TUPLE: ')',
  TUPLE: 't',
  TUPLE1: bytes(0x85),
  TUPLE2: bytes(0x86),
  TUPLE3: bytes(0x87),
  REDUCE: 'R',
  BUILD: 'b',
  BINPERSID: 'Q',
  SETITEM: 's',
  SETITEMS: 'u',
  APPEND: 'a',
  APPENDS: 'e',
  NEWFALSE: bytes(0x89),
  NONE: 'N',
};

export function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const head = Buffer.alloc(5);
  head[0] = 0x58;
  head.writeUInt32LE(b.length, 1);
  return Buffer.concat([head, b]);
}

/** BININT for int32, LONG1 (8 bytes) beyond. */
export function int(n: number | bigint): Buffer {
  const v = BigInt(n);
  if (v >= -(2n ** 31n) && v < 2n ** 31n) {
    const b = Buffer.alloc(5);
    b[0] = 0x4a;
    b.writeInt32LE(Number(v), 1);
    return b;
  }
  const b = Buffer.alloc(10);
  b[0] = 0x8a;
  b[1] = 8;
  b.writeBigInt64LE(v, 2);
  return b;
}

export function global(module: string, name: string): Buffer {
  return bytes(`c${module}\n${name}\n`);
}

export function intTuple(values: Array<number | bigint>): Buffer {
  return bytes(op.MARK, ...values.map(int), op.TUPLE);
}

export interface TensorDesc {
  storage?: string;
  key?: string;
  numel: number | bigint;
  offset?: number | bigint;
  sizes: Array<number | bigint>;
  strides: Array<number | bigint>;
}

/** The pickle of _rebuild_tensor_v2(...) for one tensor, as torch.save writes it. */
export function tensorPickle(t: TensorDesc): Buffer {
  return bytes(
    global('torch._utils', '_rebuild_tensor_v2'),
    op.MARK,
    op.MARK,
    str('storage'),
    global('torch', t.storage ?? 'FloatStorage'),
    str(t.key ?? '0'),
    str('cpu'),
    int(t.numel),
    op.TUPLE,
    op.BINPERSID,
    int(t.offset ?? 0),
    intTuple(t.sizes),
    intTuple(t.strides),
    op.NEWFALSE,
    global('collections', 'OrderedDict'),
    op.EMPTY_TUPLE,
    op.REDUCE,
    op.TUPLE,
    op.REDUCE,
  );
}

/** A dict {name: value pickle} as a whole data.pkl. */
export function dictPickle(entries: Array<[string, Buffer]>): Buffer {
  return bytes(op.PROTO2, op.EMPTY_DICT, ...entries.map(([k, v]) => bytes(str(k), v, op.SETITEM)), op.STOP);
}

/** A zip of stored entries, laid out as torch.save's. */
export function zipOf(entries: Array<[string, Uint8Array]>): Buffer {
  const chunks: Uint8Array[] = [];
  writeZip(
    entries.map(([name, data]) => ({ name, size: data.length, bytes: () => data })),
    (c) => chunks.push(Buffer.from(c)),
  );
  return Buffer.concat(chunks);
}

/** A torch.save-style zip around a data.pkl and storage records (key -> bytes). */
export function torchZip(pickle: Uint8Array, records: Record<string, Uint8Array> = {}, extra: Array<[string, Uint8Array]> = []): Buffer {
  return zipOf([
    ['archive/data.pkl', pickle],
    ...Object.entries(records).map(([k, v]): [string, Uint8Array] => [`archive/data/${k}`, v]),
    ...extra,
    ['archive/version', Buffer.from('3\n')],
  ]);
}

export function floats(values: number[]): Buffer {
  return Buffer.from(new Float32Array(values).buffer);
}

/** A safetensors file from a header object (serialized as given) and a data area. */
export function safetensors(header: unknown, data: Uint8Array = Buffer.alloc(0), rawHeader?: string): Buffer {
  const json = Buffer.from(rawHeader ?? JSON.stringify(header), 'utf8');
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([head, json, data]);
}

// ---------------------------------------------------------------------------------- child processes

export interface RunSummary {
  attempts: number;
  loaded: number;
  refused: number;
  /** Errors that are not CheckpointErrors (a bug: every refusal should be one). */
  other: number;
  crashes: number;
  leaks: number;
  oob: number;
  maxMs: number;
  children: number;
  results: Array<ChildResult | { outcome: 'crash'; detail: string }>;
}

const CHILD = path.join(__dirname, 'child.ts');

/** Loads every file in child processes, `batch` files per child; a crash is counted and the rest go on. */
export function runInChildren(files: string[], batch = 500): RunSummary {
  const dir = tempDir('children');
  const list = path.join(dir, 'files.json');
  fs.writeFileSync(list, JSON.stringify(files));
  const results: RunSummary['results'] = new Array(files.length);
  let children = 0;
  let start = 0;
  try {
    while (start < files.length) {
      const end = Math.min(files.length, start + batch);
      children++;
      const r = spawnSync(process.execPath, ['--max-old-space-size=1024', '-r', './scripts/register-ts.js', CHILD, list, String(start), String(end)], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: 120_000 + 100 * (end - start),
        maxBuffer: 256 << 20,
      });
      let running = -1;
      let next = start;
      for (const line of (r.stdout ?? '').split('\n')) {
        if (line.startsWith('S ')) running = Number(line.slice(2));
        else if (line.startsWith('R ')) {
          const sp = line.indexOf(' ', 2);
          const i = Number(line.slice(2, sp));
          results[i] = JSON.parse(line.slice(sp + 1)) as ChildResult;
          running = -1;
          next = i + 1;
        }
      }
      if (r.status === 0 && next >= end) {
        start = end;
        continue;
      }
      // The child died (signal, abort, timeout) on file `running`, or before its first file.
      const detail = `${r.signal ?? `exit ${r.status}`}${r.error ? ` (${r.error.message})` : ''}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`;
      if (running < 0) throw new Error(`a checkpoint child failed before loading any file: ${detail}`);
      results[running] = { outcome: 'crash', detail };
      start = running + 1;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const summary: RunSummary = { attempts: files.length, loaded: 0, refused: 0, other: 0, crashes: 0, leaks: 0, oob: 0, maxMs: 0, children, results };
  for (const r of results) {
    if (r.outcome === 'crash') summary.crashes++;
    else {
      summary[r.outcome]++;
      summary.leaks += r.leaks;
      summary.oob += r.oob;
      summary.maxMs = Math.max(summary.maxMs, r.ms);
    }
  }
  return summary;
}

/** The suite's targets: every file loaded or refused with a CheckpointError, nothing leaked or read out of bounds. */
export function expectClean(s: RunSummary): void {
  expect({ crashes: s.crashes, other: s.other, leaks: s.leaks, oob: s.oob }).toEqual({ crashes: 0, other: 0, leaks: 0, oob: 0 });
}

export function report(name: string, s: RunSummary): string {
  return `${name}: attempts ${s.attempts}, handled ${s.loaded + s.refused} (loaded ${s.loaded}, refused ${s.refused}), other errors ${s.other}, crashes: ${s.crashes}, leaks: ${s.leaks}, out-of-bounds tensors: ${s.oob}, slowest ${s.maxMs} ms, ${s.children} child processes`;
}
