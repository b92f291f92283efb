// Loads checkpoint files in a child process for the reliability suite, so a crash costs one file, not
// the test run: `node -r ./scripts/register-ts.js test/reliability/child.ts LIST.json START END`.
// For each file it prints `S <i>` before and `R <i> <json>` after loading it (as any weights-only
// structure, then as a flat state dict), with what happened, the tensors left alive (leaks) and the
// tensors whose elements are not in the file's bytes (out-of-bounds reads).
import * as fs from 'fs';
import { CheckpointError, Tensor, liveTensors, load } from '../../lib';
import { native } from '../../lib/native';

export interface ChildResult {
  outcome: 'loaded' | 'refused' | 'other';
  code?: string;
  message?: string;
  tensors: number;
  leaks: number;
  oob: number;
  ms: number;
}

function tensorsIn(value: unknown, out: Set<Tensor>, seen = new Set<object>()): Set<Tensor> {
  if (value instanceof Tensor) out.add(value);
  else if (typeof value === 'object' && value !== null && !seen.has(value)) {
    seen.add(value);
    for (const v of Object.values(value)) tensorsIn(v, out, seen);
  }
  return out;
}

/** Every element of 2, 4 and 8 bytes must be a window of the file: memory not its own would rarely be. */
export function outOfBounds(file: Buffer, tensors: Set<Tensor>): number {
  const windows = new Map<number, Set<string>>();
  const windowsOf = (size: number): Set<string> => {
    let set = windows.get(size);
    if (!set) {
      set = new Set();
      for (let i = 0; i + size <= file.length; i++) set.add(file.toString('latin1', i, i + size));
      windows.set(size, set);
    }
    return set;
  };
  let bad = 0;
  for (const t of tensors) {
    const size = ({ float64: 8, int64: 8, float32: 4, int32: 4, float16: 2, bfloat16: 2, int16: 2 } as Record<string, number>)[t.dtype];
    if (!size) continue;
    const bytes = native.tensorsToBytes([t.handle])[0];
    const set = windowsOf(size);
    for (let i = 0; i < bytes.length; i += size) {
      if (!set.has(bytes.toString('latin1', i, i + size))) {
        bad++;
        break;
      }
    }
  }
  return bad;
}

function attempt(file: string): ChildResult {
  const t0 = Date.now();
  const before = liveTensors();
  const result: ChildResult = { outcome: 'loaded', tensors: 0, leaks: 0, oob: 0, ms: 0 };
  const failed = (e: unknown, asStateDict: boolean): void => {
    const refused = e instanceof CheckpointError;
    if (refused && asStateDict) return; // a structure that is not a flat state dict: refused as one, rightly
    result.outcome = refused ? 'refused' : 'other';
    result.code = refused ? e.code : (e as Error).name;
    result.message = (e as Error).message.slice(0, 300);
  };
  try {
    const tensors = tensorsIn(load(file, { tensorsOnly: false }), new Set());
    result.tensors = tensors.size;
    result.oob = outOfBounds(fs.readFileSync(file), tensors);
    for (const t of tensors) t.dispose();
  } catch (e) {
    failed(e, false);
  }
  // As a flat state dict too, unless the file was refused already (the same parse would refuse it).
  if (result.outcome === 'loaded') {
    try {
      for (const t of Object.values(load(file))) t.dispose();
    } catch (e) {
      failed(e, true);
    }
  }
  result.leaks = liveTensors() - before;
  result.ms = Date.now() - t0;
  return result;
}

function main(): void {
  const files = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as string[];
  const start = Number(process.argv[3]);
  const end = Math.min(files.length, Number(process.argv[4]));
  for (let i = start; i < end; i++) {
    fs.writeSync(1, `S ${i}\n`);
    fs.writeSync(1, `R ${i} ${JSON.stringify(attempt(files[i]))}\n`);
  }
}

if (require.main === module) main();
