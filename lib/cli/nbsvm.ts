// `torch-sentiment train --model nbsvm` and `evaluate` of its bundles: the n-gram features replace the
// vocabulary and BucketIterator of the other models, and training is trainNbsvm's (lib/models/nbsvm.ts).
import * as path from 'path';
import { Field, IMDB, LabelField } from '../data';
import type { Dataset, ImdbExample, TokenizerName, Vocab } from '../data';
import { resolveDevice } from '../device';
import { NBSVM, NBSVM_DEFAULTS, NgramFeatures, bagsOf, defaultConfig, evaluateBags, trainNbsvm } from '../models';
import { addonInfo } from '../native';
import * as nn from '../nn';
import { manualSeed } from '../runtime';
import { saveBundle, vocabFromItos } from '../train/bundle';
import { writeMetrics } from '../train/report';
import type { Metrics } from '../train/report';
import { setUp, source } from './commands';
import type { TrainSettings } from './commands';

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const seconds = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

function labelsOf(data: Dataset<ImdbExample>, labels: Vocab): Int32Array {
  return Int32Array.from(data.examples, (e) => labels.stoi.get(e.label));
}

export async function runTrainNbsvm(s: TrainSettings): Promise<void> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  setUp(s.threads);
  manualSeed(s.seed);
  const TEXT = new Field({ tokenize: s.tokenizer });
  const LABEL = new LabelField({ dtype: 'float32' });
  const [full, testData] = await IMDB.splits(TEXT, LABEL, source(s.data));
  const [trainData, validData] = s.fullTrain ? [full, null] : full.split({ ratio: 0.7, seed: s.seed });
  LABEL.buildVocab(trainData);
  const labels = LABEL.vocab as Vocab;
  const c = NBSVM_DEFAULTS;
  const keys = (d: Dataset<ImdbExample>) => NgramFeatures.keysOf(d.examples.map((e) => e.text), c.ngrams);
  const trainKeys = keys(trainData);
  const trainLabels = labelsOf(trainData, labels);
  const features = NgramFeatures.fitKeys(trainKeys, trainLabels, c);
  const bags = (k: Uint32Array[]) => bagsOf(k.map((x) => features.idsOfKeys(x)));
  const train = { bags: bags(trainKeys), labels: trainLabels };
  const valid = validData ? { bags: bags(keys(validData)), labels: labelsOf(validData, labels) } : undefined;
  console.log(`data: ${trainData.length} train / ${validData ? validData.length : 0} valid / ${testData.length} test, ${features.length.toLocaleString('en-US')} n-gram features (1-${c.ngrams}-grams in >= ${c.minCount} reviews), labels ${JSON.stringify(labels.itos)} (${seconds(t0)})`);
  const device = resolveDevice(s.device as 'auto');
  const epochs: Metrics['epochs'] = [];
  const model = trainNbsvm(features, train, { ...pick(c), epochs: s.epochs, batchSize: s.batchSize, lr: s.lr, seed: s.seed, onEpoch: (epoch, r) => {
    // Accuracy on the training set is not measured (dropout and the n-grams' counts make it ~100%); NaN is null in JSON.
    epochs.push({ epoch, trainLoss: r.trainLoss, trainAcc: NaN, validLoss: r.validLoss ?? NaN, validAcc: r.validAcc ?? NaN, seconds: r.seconds, best: false });
    console.log(`epoch ${epoch}: train loss ${r.trainLoss.toFixed(3)}${r.validAcc === undefined ? '' : ` | valid loss ${(r.validLoss as number).toFixed(3)} acc ${pct(r.validAcc)}`} | ${r.seconds.toFixed(1)} s`);
  } }, valid);
  model.to(device);
  console.log(`model: nbsvm, ${nn.countParameters(model).toLocaleString('en-US')} trainable parameters, on ${device}`);
  const test = evaluateBags(model, bags(keys(testData)), labelsOf(testData, labels));
  const totalSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(`test: loss ${test.loss.toFixed(3)} acc ${pct(test.acc)} (total ${totalSeconds.toFixed(1)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s)`);
  const config = { ...defaultConfig('nbsvm', features.length, 0), ngrams: c.ngrams };
  saveBundle(path.join(s.out, 'bundle'), { model, config, vocab: vocabFromItos([], []), labels: labels.itos, tokenizer: s.tokenizer, lower: false });
  writeMetrics(path.join(s.out, 'metrics.json'), {
    epochs,
    test,
    settings: { ...s, progress: undefined, nbsvm: c },
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    versions: { library: (require('../../package.json') as { version: string }).version, libtorch: addonInfo.libtorchVersion, blas: addonInfo.blas.core },
    device,
    totalSeconds,
  });
  console.log(`saved ${path.join(s.out, 'bundle')} (predict with: torch-sentiment predict --model-dir ${path.join(s.out, 'bundle')} "some text"), metrics.json`);
  model.dispose();
}

function pick(c: typeof NBSVM_DEFAULTS) {
  return { weightDecay: c.weightDecay, dropout: c.dropout, weightInit: c.weightInit, interpolation: c.interpolation, schedule: c.schedule };
}

export async function runEvaluateNbsvm(model: NBSVM, config: { tokenizer: TokenizerName; labels: string[] }, s: { dir: string; data?: string }): Promise<void> {
  const TEXT = new Field({ tokenize: config.tokenizer });
  const LABEL = new LabelField({ dtype: 'float32' });
  const [, testData] = await IMDB.splits(TEXT, LABEL, source(s.data));
  const features = model.features as NgramFeatures;
  const bags = bagsOf(testData.examples.map((e) => features.ids(e.text)));
  // The bundle's label order: labels[1] is what a positive logit means.
  const labels = vocabFromItos(config.labels, []);
  const test = evaluateBags(model, bags, labelsOf(testData, labels));
  console.log(`test: ${testData.length} reviews, loss ${test.loss.toFixed(3)}, acc ${pct(test.acc)} (${s.dir}, ${model.embedding.weight.device})`);
  model.dispose();
}
