/**
 * The text pipeline as a user runs it, against torchtext's equivalent in
 * Python (bench/pipeline.py), on the same 50,000 IMDb reviews:
 * `IMDB.splits` from the local archive (read + tokenize), `TEXT.buildVocab`
 * (train split, maxSize 25,000) and `LABEL.buildVocab`, then one epoch of
 * `BucketIterator.splits([train, test], {batchSize: 64})`: every batch as
 * tensors (int64 text [sent len, batch], float32 labels), disposed after use.
 * Each pipeline runs in a fresh process; imports (and loading libtorch /
 * `import torch`) happen before the clock starts. See bench/README.md.
 *
 *   bench/pipeline.sh [--archive PATH] [--python /usr/bin/python3] [--no-python] [--no-tensors]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** What each side prints (seconds, counts); the checksums are computed after the clock stops. */
interface Result {
  read_tokenize: number; vocab: number; batches: number; total: number; cpu: number;
  /** Process CPU time of each stage (all threads: zlib inflates on the thread pool). */
  cpu_read_tokenize: number; cpu_vocab: number; cpu_batches: number;
  examples: number; tokens: number; vocab_size: number; itos10: string[]; labels: Record<string, number>;
  batch_count: number[]; cells: number; checksum: number;
}

/** One pipeline in this process: what a user's script does, timed from IMDB.splits to the last batch. */
async function runOne(tokenize: 'basic_english' | 'spacy', archive: string, tensors: boolean): Promise<Result> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { BucketIterator, Field, IMDB, LabelField } = require('../lib/data') as typeof import('../lib/data');
  if (tensors) require('../lib/tensor'); // loads libtorch before the clock starts, as `import torch` does
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const TEXT = new Field({ tokenize });
  const LABEL = new LabelField({ dtype: 'float32' });
  const [train, test] = await IMDB.splits(TEXT, LABEL, { archive });
  const t1 = performance.now();
  const c1 = process.cpuUsage(c0);
  TEXT.buildVocab(train, { maxSize: 25000 });
  LABEL.buildVocab(train);
  const t2 = performance.now();
  const c2 = process.cpuUsage(c0);
  const its = BucketIterator.splits([train, test], { batchSize: 64, seed: 1234 });
  const batchCount: number[] = [];
  let cells = 0;
  for (const it of its) {
    let n = 0;
    if (tensors) {
      for (const batch of it) {
        cells += batch.text.shape[0] * batch.text.shape[1];
        batch.dispose();
        n++;
      }
    } else {
      for (const b of it.numericBatches()) {
        const shape = (b.text as { shape: [number, number] }).shape;
        cells += shape[0] * shape[1];
        n++;
      }
    }
    batchCount.push(n);
  }
  const t3 = performance.now();
  const cpu = process.cpuUsage(c0);
  const s = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;
  const vocab = TEXT.vocab!;
  let checksum = 0;
  let tokens = 0;
  for (const ds of [train, test]) {
    for (const ex of ds.examples) {
      const ids = TEXT.numericalizeTokens(ex.text);
      tokens += ids.length;
      for (let k = 0; k < ids.length; k++) checksum += ids[k];
    }
  }
  return {
    read_tokenize: (t1 - t0) / 1000, vocab: (t2 - t1) / 1000, batches: (t3 - t2) / 1000, total: (t3 - t0) / 1000,
    cpu: s(cpu), cpu_read_tokenize: s(c1), cpu_vocab: s(c2) - s(c1), cpu_batches: s(cpu) - s(c2), examples: train.length + test.length, tokens, vocab_size: vocab.length,
    itos10: vocab.itos.slice(0, 10), labels: LABEL.vocab!.stoi.toObject(), batch_count: batchCount, cells,
    checksum: checksum % 1000000007,
  };
}

function child(cmd: string, args: string[]): Result {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Result;
}

function main(): void {
  const archive = path.resolve(arg('--archive') ?? process.env.IMDB_ARCHIVE ?? path.join(REPO, '..', 'shared', 'data', 'aclImdb-labelled.tar.gz'));
  if (!fs.existsSync(archive)) {
    console.error(`archive not found: ${archive}\npass --archive PATH or set IMDB_ARCHIVE`);
    process.exit(2);
  }
  const tensors = !process.argv.includes('--no-tensors');
  const python = arg('--python') ?? '/usr/bin/python3';
  const node = (tok: string) => child(process.execPath, ['-r', path.join(REPO, 'scripts', 'register-ts.js'), __filename,
    '--run', tok, '--archive', archive, ...(tensors ? [] : ['--no-tensors'])]);
  console.log(`archive: ${archive}; batches ${tensors ? 'as tensors' : 'as ids (no tensors)'}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const ours = node('basic_english');
  const py = process.argv.includes('--no-python') ? undefined
    : child(python, [path.join(REPO, 'bench', 'pipeline.py'), archive, ...(tensors ? [] : ['--no-tensors'])]);
  const spacy = node('spacy');

  const f = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(2)).padStart(9);
  const ratio = (p: number | undefined, n: number) => (p === undefined ? '-' : `${(p / n).toFixed(1)}x`).padStart(8);
  console.log('\nstage (s)              python(bE)  node(bE)  speed-up  node(spacy)');
  for (const [name, key] of [['IMDB.splits', 'read_tokenize'], ['buildVocab', 'vocab'], ['batches (1 epoch)', 'batches'],
    ['total', 'total'], ['CPU: IMDB.splits', 'cpu_read_tokenize'], ['CPU: buildVocab', 'cpu_vocab'],
    ['CPU: batches', 'cpu_batches'], ['CPU time (process)', 'cpu']] as const) {
    console.log(`${name.padEnd(22)} ${f(py?.[key])}   ${f(ours[key])}  ${ratio(py?.[key], ours[key])}    ${f(spacy[key])}`);
  }
  console.log(`examples ${ours.examples}; tokens python ${py?.tokens ?? '-'} node ${ours.tokens} (spacy ${spacy.tokens}); ` +
    `vocab size ${py?.vocab_size ?? '-'} / ${ours.vocab_size} (spacy ${spacy.vocab_size}); batches ${JSON.stringify(ours.batch_count)}`);
  if (py) {
    const same = JSON.stringify(py.itos10) === JSON.stringify(ours.itos10) && py.checksum === ours.checksum && py.tokens === ours.tokens &&
      JSON.stringify(py.labels) === JSON.stringify(ours.labels) && JSON.stringify(py.batch_count) === JSON.stringify(ours.batch_count);
    console.log(`same work (tokens, itos[:10], labels, ids checksum, batch counts) in python and node: ${same}` +
      (same ? '' : `\n  python ${JSON.stringify(py)}\n  node   ${JSON.stringify(ours)}`));
    console.log(`padding: python ${((1 - py.tokens / py.cells) * 100).toFixed(2)} %, node ${((1 - ours.tokens / ours.cells) * 100).toFixed(2)} %`);
  }
}

const run = arg('--run');
if (run !== undefined) {
  runOne(run as 'basic_english' | 'spacy', arg('--archive') as string, !process.argv.includes('--no-tensors'))
    .then((r) => console.log(JSON.stringify(r)))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
} else {
  main();
}
