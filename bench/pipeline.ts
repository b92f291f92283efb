/**
 * Text pipeline benchmark: the same 50,000 IMDb reviews through
 * (1) this package with basic_english, (2) the equivalent Python/torchtext
 * pipeline (bench/pipeline.py), (3) this package with the spaCy-compatible
 * tokenizer: read the archive, tokenize, build the vocabulary (train split,
 * maxSize 25,000), numericalize. Then the tutorial's split and
 * BucketIterator: batch counts and padding fraction. See bench/README.md.
 *
 *   npx tsc -p bench/pipeline.tsconfig.json && node bench/out/bench/pipeline.js [--archive PATH] [--no-python]
 */
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readArchiveFiles } from '../lib/data/archive';
import { Dataset } from '../lib/data/dataset';
import { Field, LabelField } from '../lib/data/field';
import { BucketIterator } from '../lib/data/iterator';
import { Corpus, CorpusBuilder } from '../lib/data/corpus';
import { Vocab } from '../lib/data/vocab';
import { firstLineEnd } from '../lib/data/tokenizers';

// Compiled to bench/out/bench/pipeline.js.
const REPO = path.resolve(__dirname, '..', '..', '..');
const ENTRY = /^(?:\.\/)?(?:[^/]+\/)?(train|test)\/(neg|pos)\/(\d+)_(\d+)\.txt$/;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Review { split: number; label: string; id: number; index: number }

interface Timings { cpu: number; readTokenize: number; vocab: number; numericalize: number; total: number; tokens: number; vocabSize: number; itos10: string[]; checksum: number }

/**
 * Node pipeline: the archive is gunzipped on the libuv thread pool while the
 * main thread tokenizes each review as soon as it is read (so read and
 * tokenize overlap), from its bytes (only its first line, as IMDB.splits
 * reads it); then the vocabulary (train split) and numericalization.
 */
async function runTs(archive: string, tokenizer: 'spacy' | 'basic_english'): Promise<Timings & { reviews: Review[]; corpus: Corpus }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const builder = new CorpusBuilder(tokenizer);
  const reviews: Review[] = [];
  await readArchiveFiles(archive, (p) => ENTRY.test(p), (p, buf) => {
    const m = ENTRY.exec(p) as RegExpExecArray;
    const index = builder.addBytes(buf, 0, firstLineEnd(buf));
    reviews.push({ split: m[1] === 'train' ? 0 : 1, label: m[2], id: Number(m[3]), index });
  });
  const corpus = builder.finish();
  const t2 = performance.now();
  const train = reviews.filter((r) => r.split === 0).map((r) => r.index);
  const vocab = new Vocab(corpus.counter(train), { maxSize: 25000, specials: ['<unk>', '<pad>'] });
  const t3 = performance.now();
  const ids = corpus.numericalize(vocab);
  const t4 = performance.now();
  const c4 = process.cpuUsage(c0);
  let checksum = 0;
  for (let k = 0; k < ids.length; k++) checksum += ids[k];
  reviews.sort((a, b) => a.split - b.split || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0) || a.id - b.id);
  return {
    cpu: (c4.user + c4.system) / 1e6,
    readTokenize: (t2 - t0) / 1000, vocab: (t3 - t2) / 1000, numericalize: (t4 - t3) / 1000,
    total: (t4 - t0) / 1000, tokens: corpus.ids.length, vocabSize: vocab.length,
    itos10: vocab.itos.slice(0, 10), reviews, corpus, checksum: checksum % 1000000007,
  };
}

/**
 * The same pipeline with tokenization on two threads: the main thread reads
 * the archive and tokenizes every other batch of 256 reviews; a worker thread
 * tokenizes the others (sent as one buffer of first lines per batch). The
 * worker's token ids are mapped onto the main interner's at the end (one
 * lookup per distinct token).
 */
async function runTsTwoThreads(archive: string, tokenizer: 'spacy' | 'basic_english'): Promise<Timings> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const worker = new Worker(path.join(__dirname, 'pipeline-worker.js'), { workerData: { tokenizer } });
  const main = new CorpusBuilder(tokenizer);
  const where: Array<[number, number]> = []; // review -> [thread, index in that thread]
  const splits: number[] = [];
  let batch: Buffer[] = [];
  let sentBatches = 0;
  let workerCount = 0;
  let mine = true;
  const flush = () => {
    if (mine) {
      for (const b of batch) where.push([0, main.addBytes(b)]);
    } else {
      const bytes = Buffer.allocUnsafeSlow(batch.reduce((n, b) => n + b.length, 0)); // own ArrayBuffer: transferable
      const ends = new Int32Array(batch.length);
      let o = 0;
      batch.forEach((b, k) => {
        b.copy(bytes, o);
        o += b.length;
        ends[k] = o;
        where.push([1, workerCount++]);
      });
      worker.postMessage({ bytes, ends }, [bytes.buffer as ArrayBuffer, ends.buffer as ArrayBuffer]);
      sentBatches++;
    }
    batch = [];
    mine = !mine;
  };
  await readArchiveFiles(archive, (p) => ENTRY.test(p), (p, buf) => {
    const m = ENTRY.exec(p) as RegExpExecArray;
    batch.push(buf.subarray(0, firstLineEnd(buf)));
    splits.push(m[1] === 'train' ? 0 : 1);
    if (batch.length === 256) flush();
  });
  if (batch.length) flush();
  const result = new Promise<{ ids: Int32Array; offsets: Int32Array; keys: string[] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  worker.postMessage({ done: true });
  const mainCorpus = main.finish();
  const w = await result;
  await worker.terminate();
  // Map the worker's ids onto the main interner, then lay the reviews out in reading order.
  const remap = Int32Array.from(w.keys, (k) => mainCorpus.interner.intern(k));
  const total = mainCorpus.ids.length + w.ids.length;
  const ids = new Int32Array(total);
  const offsets = new Int32Array(where.length + 1);
  let o = 0;
  where.forEach(([thread, i], r) => {
    if (thread === 0) {
      const src = mainCorpus.ids.subarray(mainCorpus.offsets[i], mainCorpus.offsets[i + 1]);
      ids.set(src, o);
      o += src.length;
    } else {
      for (let k = w.offsets[i]; k < w.offsets[i + 1]; k++) ids[o++] = remap[w.ids[k]];
    }
    offsets[r + 1] = o;
  });
  const corpus = Corpus.create(mainCorpus.interner, ids, offsets);
  const t2 = performance.now();
  const train = splits.map((s, i) => (s === 0 ? i : -1)).filter((i) => i >= 0);
  const vocab = new Vocab(corpus.counter(train), { maxSize: 25000, specials: ['<unk>', '<pad>'] });
  const t3 = performance.now();
  const num = corpus.numericalize(vocab);
  const t4 = performance.now();
  const c4 = process.cpuUsage(c0);
  let checksum = 0;
  for (let k = 0; k < num.length; k++) checksum += num[k];
  void sentBatches;
  return {
    cpu: (c4.user + c4.system) / 1e6,
    readTokenize: (t2 - t0) / 1000, vocab: (t3 - t2) / 1000, numericalize: (t4 - t3) / 1000, total: (t4 - t0) / 1000,
    tokens: corpus.ids.length, vocabSize: vocab.length, itos10: vocab.itos.slice(0, 10), checksum: checksum % 1000000007,
  };
}

/** Reading alone, for reference. */
async function readOnly(archive: string): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  await readArchiveFiles(archive, (p) => ENTRY.test(p), (_p, buf) => {
    n += buf.toString('utf8').length;
  });
  return (performance.now() - t0) / 1000;
}

function fmt(x: number): string {
  return x.toFixed(2).padStart(8);
}

async function main(): Promise<void> {
  const archive = path.resolve(arg('--archive') ?? process.env.IMDB_ARCHIVE ?? path.join(REPO, '..', 'shared', 'data', 'aclImdb-labelled.tar.gz'));
  if (!fs.existsSync(archive)) {
    console.error(`archive not found: ${archive}\npass --archive PATH or set IMDB_ARCHIVE`);
    process.exit(2);
  }
  const python = arg('--python') ?? '/usr/bin/python3';
  console.log(`archive: ${archive}`);

  const basic = await runTs(archive, 'basic_english');
  console.log(`node basic_english: ${basic.total.toFixed(2)} s`);
  let py: Record<string, number | string[]> | undefined;
  if (!process.argv.includes('--no-python')) {
    const r = spawnSync(python, [path.join(REPO, 'bench', 'pipeline.py'), archive], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) {
      console.error(`python pipeline failed (${python}): ${r.error?.message ?? r.stderr}`);
      process.exit(1);
    }
    py = JSON.parse(r.stdout.trim().split('\n').pop() as string);
    console.log(`python basic_english: ${(py as { total: number }).total.toFixed(2)} s`);
  }
  const spacy = await runTs(archive, 'spacy');
  console.log(`node spacy: ${spacy.total.toFixed(2)} s`);

  const basic2 = await runTsTwoThreads(archive, 'basic_english');
  const spacy2 = await runTsTwoThreads(archive, 'spacy');
  console.log(`node 2 threads: basic_english ${basic2.total.toFixed(2)} s, spacy ${spacy2.total.toFixed(2)} s`);
  const nodeRead = await readOnly(archive);
  const p = (k: string) => (py ? (py[k] as number) : NaN);
  console.log('\nstage                 python(bE)  node(bE)   speedup  node(spacy)');
  const row = (name: string, pv: number, nv: number, sv: number) =>
    console.log(`${name.padEnd(21)} ${fmt(pv)}   ${fmt(nv)}  ${(pv / nv).toFixed(1).padStart(6)}x  ${fmt(sv)}`);
  console.log(`${'read (alone)'.padEnd(21)} ${fmt(p('read'))}   ${fmt(nodeRead)}  ${(p('read') / nodeRead).toFixed(1).padStart(6)}x`);
  row('read + tokenize', p('read') + p('tokenize'), basic.readTokenize, spacy.readTokenize);
  row('vocab', p('vocab'), basic.vocab, spacy.vocab);
  row('numericalize', p('numericalize'), basic.numericalize, spacy.numericalize);
  row('total', p('total'), basic.total, spacy.total);
  row('CPU time (process)', p('cpu'), basic.cpu, spacy.cpu);
  console.log('two threads (main + 1 worker tokenizing):');
  row('read + tokenize', p('read') + p('tokenize'), basic2.readTokenize, spacy2.readTokenize);
  row('total', p('total'), basic2.total, spacy2.total);
  row('CPU time (process)', p('cpu'), basic2.cpu, spacy2.cpu);
  const same2 = basic2.checksum === basic.checksum && spacy2.checksum === spacy.checksum && basic2.tokens === basic.tokens;
  console.log(`two-thread results identical to one-thread (tokens, ids checksum): ${same2}`);
  console.log(`tokens         ${String(py?.tokens ?? '-').padStart(9)}  ${String(basic.tokens).padStart(9)}            ${String(spacy.tokens).padStart(9)}`);
  console.log(`vocab size     ${String(py?.vocab_size ?? '-').padStart(9)}  ${String(basic.vocabSize).padStart(9)}            ${String(spacy.vocabSize).padStart(9)}`);
  if (py) {
    const same = JSON.stringify(py.itos10) === JSON.stringify(basic.itos10);
    console.log(`basic_english itos[:10] identical in python and node: ${same}; ids checksum python ${py.checksum} node ${basic.checksum}`);
  }
  console.log(`spacy itos[:10]: ${JSON.stringify(spacy.itos10)}`);

  // Tutorial split + BucketIterator on the spaCy tokens (numeric batches only, no tensors).
  const TEXT = new Field({ tokenize: 'spacy' });
  const LABEL = new LabelField({ dtype: 'float32' });
  const fields = { text: TEXT, label: LABEL };
  const sortKey = (ex: { text: string[] }) => ex.text.length;
  const all = spacy.reviews.map((r) => ({ text: spacy.corpus.tokensOf(r.index), label: r.label, split: r.split }));
  const train = new Dataset(all.filter((e) => e.split === 0), fields, { sortKey });
  const test = new Dataset(all.filter((e) => e.split === 1), fields, { sortKey });
  const [trainData, validData] = train.split({ ratio: 0.7, seed: 1234 });
  TEXT.buildVocab(trainData, { maxSize: 25000 });
  LABEL.buildVocab(trainData);
  const its = BucketIterator.splits([trainData, validData, test], { batchSize: 64, seed: 1234 });
  console.log(`\nsplit: train ${trainData.length}, valid ${validData.length}, test ${test.length}; vocab ${TEXT.vocab?.length}; labels ${JSON.stringify(LABEL.vocab?.stoi.toObject())}`);
  console.log('iterator  batches  padding  (min possible for these lengths: each batch padded to its own max)');
  for (const [name, it] of [['train', its[0]], ['valid', its[1]], ['test', its[2]]] as const) {
    let cells = 0;
    let real = 0;
    let batches = 0;
    const t0 = performance.now();
    for (const b of it.numericBatches()) {
      const c = b.text as { shape: [number, number]; lengths: Int32Array };
      cells += c.shape[0] * c.shape[1];
      for (const l of c.lengths) real += l;
      batches++;
    }
    const ms = performance.now() - t0;
    console.log(`${name.padEnd(9)} ${String(batches).padStart(7)}  ${((1 - real / cells) * 100).toFixed(2).padStart(6)} %  (${it.length} by length; epoch collated in ${ms.toFixed(0)} ms)`);
  }
  const unbucketed = new BucketIterator(trainData, { batchSize: 64, seed: 1, bucket: false });
  let cells = 0;
  let real = 0;
  for (const b of unbucketed.numericBatches()) {
    const c = b.text as { shape: [number, number]; lengths: Int32Array };
    cells += c.shape[0] * c.shape[1];
    for (const l of c.lengths) real += l;
  }
  console.log(`train without bucketing (torchtext 0.8 code path, sort_within_batch=False): padding ${((1 - real / cells) * 100).toFixed(2)} %`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
