// Mutation fuzz: thousands of variants of real checkpoints (PyTorch's state dicts, one written by save(),
// and a safetensors file), each loaded in a child process: raw byte mutations of the whole file, and
// mutations of data.pkl or of a storage record alone, re-zipped with valid CRCs, so that the unpickler
// and the storage checks (not only the zip's CRC) see them. Every variant must load or be refused with a CheckpointError:
// 0 crashes, 0 leaked tensors, 0 tensors with elements from outside the file. FUZZ_SEED reproduces a run.
import * as fs from 'fs';
import * as path from 'path';
import { save, tensor, randn, nn } from '../../lib';
import { entryBytes, readZip } from '../../lib/checkpoint/zip';
import { expectClean, python, pythonTorchMissing, report, runInChildren, tempDir, zipOf } from './harness';

const SEED = Number(process.env.FUZZ_SEED ?? 12);

/** xorshift32: the same variants for the same seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x28, 0x2e, 0x52, 0x51, 0x73, 0x74, 0x85, 0x86, 0x87, 0x8a, 0x58, 0x71, 0x68, 0x62];

function mutate(src: Buffer, r: () => number, region?: [number, number]): Buffer {
  const [lo, hi] = region ?? [0, src.length];
  const pick = (): number => lo + Math.floor(r() * (hi - lo));
  let out = Buffer.from(src);
  const kind = Math.floor(r() * 6);
  const n = 1 + Math.floor(r() * 8);
  if (kind <= 2) {
    for (let i = 0; i < n; i++) out[pick()] = kind === 0 ? Math.floor(r() * 256) : kind === 1 ? INTERESTING[Math.floor(r() * INTERESTING.length)] : out[pick()] ^ (1 << Math.floor(r() * 8));
  } else if (kind === 3) {
    out = out.subarray(0, pick()); // truncation
  } else if (kind === 4) {
    const at = pick();
    out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + n))]); // deletion
  } else {
    const at = pick();
    const from = pick();
    out = Buffer.concat([out.subarray(0, at), out.subarray(from, Math.min(hi, from + 1 + Math.floor(r() * 32))), out.subarray(at)]); // duplication
  }
  return out;
}

/** The same archive with data.pkl (or else one storage record) mutated and every CRC valid. */
function mutateEntry(src: Buffer, r: () => number, pickle: boolean): Buffer {
  const fail = (code: string, m: string): never => {
    throw new Error(`${code} ${m}`);
  };
  const entries = [...readZip(src, fail).values()].sort((a, b) => a.offset - b.offset);
  const records = entries.filter((e) => /\/data\/[^/]+$/.test(e.name) && e.size > 0);
  const target = pickle ? entries.find((e) => e.name.endsWith('/data.pkl')) : records[Math.floor(r() * records.length)];
  return zipOf(entries.map((e) => [e.name, e === target ? mutate(entryBytes(src, e, fail), r) : entryBytes(src, e, fail)]));
}

test('>= 2,000 mutated checkpoints: 0 crashes, 0 leaks, 0 out-of-bounds tensors', () => {
  const dir = tempDir('fuzz');
  try {
    const seeds: Array<{ name: string; file: Buffer; kind: 'pt' | 'safetensors' }> = [];
    if (!pythonTorchMissing()) {
      const r = python(['write', dir]);
      if (r.status !== 0) throw new Error(`make_checkpoints.py write failed:\n${r.out}`);
      // A GRU model's OrderedDict, views of one storage, and a nested checkpoint with plain values.
      for (const name of ['model.pt', 'views.pt', 'nested.pt']) seeds.push({ name: `pytorch ${name}`, file: fs.readFileSync(path.join(dir, name)), kind: 'pt' });
    } else {
      console.log('fuzzing without a PyTorch-written seed: /usr/bin/python3 has no torch');
    }
    const model = new nn.Linear(5, 3);
    const sd = { ...model.stateDict(), ids: tensor([1, 2, 3], { dtype: 'int64' }), half: randn([2, 2]).to('float16') };
    save(sd, path.join(dir, 'node.pt'));
    save(sd, path.join(dir, 'node.safetensors'));
    model.dispose();
    seeds.push({ name: 'save() .pt', file: fs.readFileSync(path.join(dir, 'node.pt')), kind: 'pt' });
    seeds.push({ name: 'save() .safetensors', file: fs.readFileSync(path.join(dir, 'node.safetensors')), kind: 'safetensors' });

    const r = rng(SEED);
    const files: string[] = [];
    const perSeed = Math.ceil(2100 / seeds.length);
    for (const seed of seeds) {
      for (let i = 0; i < perSeed; i++) {
        let data: Buffer;
        if (seed.kind === 'safetensors') {
          const headerEnd = 8 + Number(seed.file.readBigUInt64LE(0));
          data = mutate(seed.file, r, i % 2 ? [0, headerEnd] : undefined); // half in the header
        } else {
          // Half the variants mutate data.pkl, a quarter the whole file, a quarter a storage record.
          data = i % 2 ? mutateEntry(seed.file, r, true) : i % 4 ? mutate(seed.file, r) : mutateEntry(seed.file, r, false);
        }
        const file = path.join(dir, `v${files.length}.${seed.kind}`);
        fs.writeFileSync(file, data);
        files.push(file);
      }
    }
    const summary = runInChildren(files, files.length); // one child unless one crashes: starting one costs seconds
    const codes: Record<string, number> = {};
    for (const res of summary.results) {
      const key = res.outcome === 'crash' ? 'crash' : res.outcome === 'loaded' ? 'loaded' : `${res.code}`;
      codes[key] = (codes[key] ?? 0) + 1;
    }
    console.log(`${report(`mutation fuzz (seed ${SEED}, ${seeds.map((s) => s.name).join(', ')})`, summary)}\n  outcomes: ${JSON.stringify(codes)}`);
    const problems = summary.results.map((res, i) => [files[i], res] as const).filter(([, res]) => res.outcome === 'crash' || res.outcome === 'other' || res.leaks || res.oob);
    expect(problems.slice(0, 5)).toEqual([]);
    expect(summary.attempts).toBeGreaterThanOrEqual(2000);
    expectClean(summary);
    // Not vacuous: many variants load (mutated weights) and many are refused.
    expect(summary.loaded).toBeGreaterThan(100);
    expect(summary.refused).toBeGreaterThan(100);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
