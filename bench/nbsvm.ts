/**
 * The NBSVM model (lib/models/nbsvm.ts) on the labelled IMDb archive: tuning runs scored on the
 * tutorial's 7,500 validation reviews (split of the 25,000 training reviews, seed 1234), and with
 * --test the chosen settings' test accuracy, trained on the 17,500 split and on all 25,000.
 *
 *   node -r ./scripts/register-ts.js bench/nbsvm.ts [--archive PATH] [--configs JSON] [--test]
 *
 * --configs: a JSON array of settings, each {ngrams, minCount, alpha, epochs, batchSize, lr,
 * weightDecay, dropout, weightInit}; missing ones take the model's defaults (lib/models NBSVM_DEFAULTS).
 */
import * as path from 'node:path';
import { Field, IMDB, LabelField } from '../lib/data';
import type { Vocab } from '../lib/data';
import { NBSVM_DEFAULTS, NgramFeatures, accuracyOf, bagsOf, interpolate, trainNbsvm } from '../lib/models';
import type { NbsvmSettings } from '../lib/models';
import { getNumThreads } from '../lib/runtime';
import { noGrad } from '../lib/tensor';

const REPO = path.resolve(__dirname, '..');
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const secs = (t: number) => ((performance.now() - t) / 1000).toFixed(1);

async function main(): Promise<void> {
  const archive = path.resolve(arg('--archive') ?? path.join(REPO, '..', 'shared', 'data', 'aclImdb-labelled.tar.gz'));
  const configs = JSON.parse(arg('--configs') ?? '[{}]') as Array<Partial<NbsvmSettings>>;
  const t0 = performance.now();
  const TEXT = new Field({ tokenize: 'basic_english' });
  const LABEL = new LabelField({ dtype: 'float32' });
  const [full, test] = await IMDB.splits(TEXT, LABEL, { archive });
  const [train, valid] = full.split({ ratio: 0.7, seed: 1234 });
  LABEL.buildVocab(train);
  const stoi = (LABEL.vocab as Vocab).stoi;
  const texts = (d: typeof full) => d.examples.map((e) => e.text);
  const labels = (d: typeof full) => Int32Array.from(d.examples, (e) => stoi.get(e.label));
  console.log(`IMDB.splits + split: ${secs(t0)} s, ${getNumThreads()} threads`);
  const keyCache = new Map<number, Uint32Array[][]>();
  const keysFor = (ngrams: number) => {
    if (!keyCache.has(ngrams)) keyCache.set(ngrams, [train, valid, full, test].map((d) => NgramFeatures.keysOf(texts(d), ngrams)));
    return keyCache.get(ngrams) as Uint32Array[][];
  };
  for (const partial of configs) {
    const c = { ...NBSVM_DEFAULTS, ...partial };
    const t1 = performance.now();
    const [trainKeys, validKeys, fullKeys, testKeys] = keysFor(c.ngrams);
    const features = NgramFeatures.fitKeys(trainKeys, labels(train), c);
    const trainBags = bagsOf(trainKeys.map((k) => features.idsOfKeys(k)));
    const validBags = bagsOf(validKeys.map((k) => features.idsOfKeys(k)));
    console.log(`${JSON.stringify(partial)}: ${features.length} features (${secs(t1)} s)`);
    const { epochs, batchSize, lr, weightDecay, dropout, weightInit, interpolation, schedule } = c;
    const training = { epochs, batchSize, lr, weightDecay, dropout, weightInit, interpolation, schedule };
    const model = trainNbsvm(features, { bags: trainBags, labels: labels(train) }, { ...training, onEpoch: (e, r) => console.log(`  epoch ${e}: loss ${r.trainLoss.toFixed(4)} valid ${(100 * (r.validAcc ?? 0)).toFixed(2)}% (${r.seconds.toFixed(1)} s)`) }, { bags: validBags, labels: labels(valid) });
    // Validation accuracy after NBSVM's interpolation with each beta of --betas (on a copy of the weights).
    for (const beta of JSON.parse(arg('--betas') ?? '[]') as number[]) {
      const saved = model.embedding.weight.clone();
      interpolate(model, beta);
      console.log(`  interpolation ${beta}: valid ${(100 * accuracyOf(model, validBags, labels(valid))).toFixed(2)}%`);
      noGrad(() => model.embedding.weight.copy_(saved));
      saved.dispose();
    }
    if (process.argv.includes('--test')) {
      const testBags = bagsOf(testKeys.map((k) => features.idsOfKeys(k)));
      console.log(`  test (trained on 17,500): ${(100 * accuracyOf(model, testBags, labels(test))).toFixed(2)}%`);
      const t2 = performance.now();
      const allFeatures = NgramFeatures.fitKeys(fullKeys, labels(full), c);
      const all = trainNbsvm(allFeatures, { bags: bagsOf(fullKeys.map((k) => allFeatures.idsOfKeys(k))), labels: labels(full) }, training);
      console.log(`  test (trained on 25,000): ${(100 * accuracyOf(all, bagsOf(testKeys.map((k) => allFeatures.idsOfKeys(k))), labels(test))).toFixed(2)}% (features + training ${secs(t2)} s)`);
      all.dispose();
    }
    model.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
