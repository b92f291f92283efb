// The NBSVM model: n-gram keys and Naive Bayes ratios, learning a synthetic set that needs bigrams,
// its bundle (predict, features.pt) and its state dict in PyTorch's nn.EmbeddingBag + nn.Linear.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { models } from '../../lib';
import { loadBundle, saveBundle, vocabFromItos } from '../../lib/train/bundle';

const { NgramFeatures, ngramKeys, trainNbsvm, bagsOf, accuracyOf, defaultConfig } = models;
const PYTHON = '/usr/bin/python3';

/**
 * Reviews whose label hangs on bigrams: every text has 'good' and 'bad'; a positive one says
 * 'not bad' or 'really good', a negative one 'not good' or 'really bad'. Unigrams alone are noise.
 */
function synthetic(n: number, seed: number): { texts: string[][]; labels: Int32Array } {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const filler = ['the', 'film', 'was', 'a', 'movie', 'plot', 'actor', 'scene', 'and', 'it', 'good', 'bad', 'not', 'really'];
  const texts: string[][] = [];
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = rand() < 0.5 ? 1 : 0;
    const cue = y ? (rand() < 0.5 ? ['not', 'bad'] : ['really', 'good']) : rand() < 0.5 ? ['not', 'good'] : ['really', 'bad'];
    const t = Array.from({ length: 6 + Math.floor(rand() * 10) }, () => filler[Math.floor(rand() * 10)]);
    t.splice(Math.floor(rand() * t.length), 0, ...cue);
    t.push('good', 'bad');
    texts.push(t);
    labels[i] = y;
  }
  return { texts, labels };
}

describe('n-gram features', () => {
  test('keys: one per distinct n-gram, sorted, order-sensitive', () => {
    const k = ngramKeys(['a', 'b', 'a', 'b'], 2);
    expect(k.length).toBe(4); // a, b, "a b", "b a"
    expect(Array.from(k)).toEqual(Array.from(k).sort((x, y) => x - y));
    expect(ngramKeys(['b', 'a'], 2)).not.toEqual(ngramKeys(['a', 'b'], 2));
    expect(ngramKeys(['a', 'b', 'c'], 3).length).toBe(6);
    expect(ngramKeys([], 3).length).toBe(0);
    expect(Array.from(ngramKeys(['x', 'y'], 1))).toEqual(Array.from(ngramKeys(['y', 'x', 'y'], 1)));
  });

  test('ratios: positive for positive n-grams, minCount drops rare ones', () => {
    const texts = [['great', 'film'], ['great', 'plot'], ['awful', 'film'], ['awful', 'plot'], ['once']];
    const f = NgramFeatures.fit(texts, [1, 1, 0, 0, 1], { ngrams: 1, minCount: 2 });
    expect(f.length).toBe(4); // 'once' occurs in one text
    const r = (w: string) => f.ratios[f.ids([w])[0]];
    expect(r('great')).toBeGreaterThan(0.5);
    expect(r('awful')).toBeLessThan(-0.5);
    expect(Math.abs(r('film'))).toBeLessThan(1e-6);
    expect(f.ids(['once', 'never']).length).toBe(0);
    expect(() => NgramFeatures.fit(texts, [1, 1, 0, 0, 2])).toThrow(/labels\[4\]/);
    expect(() => NgramFeatures.fit(texts, [1, 1])).toThrow(/labels/);
  });
});

describe('NBSVM', () => {
  const train = synthetic(1500, 1);
  const held = synthetic(500, 2);
  const features = NgramFeatures.fit(train.texts, train.labels, { ngrams: 2, minCount: 2 });
  const model = trainNbsvm(features, { bags: bagsOf(train.texts.map((t) => features.ids(t))), labels: train.labels }, { epochs: 5, lr: 0.01, batchSize: 32 });
  afterAll(() => model.dispose());

  test('learns a set that needs bigrams (> 95% on held-out texts)', () => {
    const acc = accuracyOf(model, bagsOf(held.texts.map((t) => features.ids(t))), held.labels);
    expect(acc).toBeGreaterThan(0.95);
    // Unigrams alone cannot: the same words occur on both sides.
    const uni = NgramFeatures.fit(train.texts, train.labels, { ngrams: 1, minCount: 2 });
    const uniModel = trainNbsvm(uni, { bags: bagsOf(train.texts.map((t) => uni.ids(t))), labels: train.labels }, { epochs: 5, lr: 0.01, batchSize: 32 });
    expect(accuracyOf(uniModel, bagsOf(held.texts.map((t) => uni.ids(t))), held.labels)).toBeLessThan(0.8);
    uniModel.dispose();
  });

  test('feature dropout and the cosine schedule still learn it; bad options name themselves', () => {
    const trainBags = bagsOf(train.texts.map((t) => features.ids(t)));
    const m = trainNbsvm(features, { bags: trainBags, labels: train.labels }, { epochs: 5, lr: 0.01, batchSize: 32, dropout: 0.3, schedule: 'cosine', seed: 3 });
    expect(accuracyOf(m, bagsOf(held.texts.map((t) => features.ids(t))), held.labels)).toBeGreaterThan(0.95);
    expect(() => m.forwardBags(trainBags, [0, 1], 0.5)).toThrow(/rng/);
    m.dispose();
    expect(() => trainNbsvm(features, { bags: trainBags, labels: train.labels }, { schedule: 'step' as 'cosine' })).toThrow(/options.schedule/);
    expect(() => trainNbsvm(features, { bags: trainBags, labels: train.labels.subarray(1) })).toThrow(/train.labels/);
    expect(() => trainNbsvm(features, { bags: trainBags, labels: train.labels }, { momentum: 0.9 } as object)).toThrow(/momentum/);
  });

  test('bundle: predict, and the state dict loads in PyTorch (nn.EmbeddingBag + nn.Linear)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nbsvm-bundle-'));
    const config = { ...defaultConfig('nbsvm', features.length, 0), ngrams: 2 };
    saveBundle(dir, { model, config, vocab: vocabFromItos([], []), labels: ['neg', 'pos'], tokenizer: 'whitespace', lower: false });
    const bundle = loadBundle(dir);
    expect(bundle.predict('the film was really good').probability).toBeGreaterThan(0.5);
    expect(bundle.predict('the film was not good').probability).toBeLessThan(0.5);
    expect(bundle.predict('the film was not good').label).toBe('neg');
    expect(bundle.model.stateDict()['embedding.weight'].shape).toEqual([features.length, 1]);

    const texts = held.texts.slice(0, 20);
    const bags = bagsOf(texts.map((t) => features.ids(t)));
    const ours = Array.from(model.forwardTexts(texts).reshape([-1]).toTypedArray() as Float32Array);
    const reloaded = Array.from((bundle.model as InstanceType<typeof models.NBSVM>).forwardTexts(texts).reshape([-1]).toTypedArray() as Float32Array);
    expect(reloaded).toEqual(ours);
    bundle.model.dispose();

    const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.log(`skipped the PyTorch half: ${PYTHON} cannot import torch (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})`);
      return;
    }
    const request = JSON.stringify({ ids: Array.from(bags.ids), offsets: Array.from(bags.starts.subarray(0, texts.length)) });
    const py = spawnSync(PYTHON, [path.join(__dirname, 'nbsvm_pytorch.py'), dir], { input: request, encoding: 'utf8' });
    expect(py.stderr).toBe('');
    const theirs = JSON.parse(py.stdout) as { keys: number; logits: number[] };
    expect(theirs.keys).toBe(features.length);
    expect(theirs.logits).toHaveLength(ours.length);
    theirs.logits.forEach((v, i) => expect(v).toBeCloseTo(ours[i], 4));
  });

  test('a bundle whose features.pt does not match is refused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nbsvm-bundle-'));
    const config = { ...defaultConfig('nbsvm', features.length, 0), ngrams: 2 };
    saveBundle(dir, { model, config, vocab: vocabFromItos([], []), labels: ['neg', 'pos'], tokenizer: 'whitespace', lower: false });
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    fs.unlinkSync(path.join(dir, 'features.pt'));
    expect(() => loadBundle(dir)).toThrow(/features.pt/);
    cfg.model.ngrams = 0;
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg));
    expect(() => loadBundle(dir)).toThrow(/config.json: model.ngrams must be an integer in \[1, 8\], got number 0/);
  });
});
