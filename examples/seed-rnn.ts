// "1 - Simple Sentiment Analysis" (PyTorch + TorchText), cell by cell, in Node.
//
//   npm run tutorial -- --data /path/to/aclImdb_v1.tar.gz     (or an extracted aclImdb folder)
//   TORCH_SENTIMENT_IMDB=/path/to/archive npm run tutorial
//   npm run tutorial                                           (downloads the official archive once)
//
// Flags: --data PATH, --device auto|cpu|cuda, --epochs N (5), --out DIR (runs/seed-rnn), --threads N.
// Writes DIR/tut1-model.pt (best validation loss), DIR/bundle/ (for `torch-sentiment predict`),
// DIR/metrics.json and DIR/curves.svg.
import * as path from 'path';
import {
  addonInfo, data, evaluate, epochTime, fit, getNumThreads, manualSeed, metricsFrom, models, nn, optim, resolveDevice,
  saveBundle, setBlasThreads, setFlushDenormal, setNumThreads, tuneAllocator, writeMetrics, writePlot,
} from '../lib';

const { IMDB, Field, LabelField, BucketIterator } = data;

function flag(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const out = flag('out', 'runs/seed-rnn') as string;
  const source = flag('data', process.env.TORCH_SENTIMENT_IMDB);
  if (flag('threads')) setNumThreads(Number(flag('threads')));
  // CPU settings (README, "Speed on the CPU"): glibc keeps large buffers instead of mapping them anew
  // each step, vanishing gradients flush to zero instead of crawling through denormal arithmetic, and
  // OpenBLAS uses as many threads as libtorch (1 by default) instead of spinning one per core.
  tuneAllocator();
  setFlushDenormal(true);
  setBlasThreads(getNumThreads());

  // --- Preparing Data
  const SEED = 1234;
  manualSeed(SEED);

  const TEXT = new Field({ tokenize: 'spacy', tokenizerLanguage: 'en_core_web_sm' });
  const LABEL = new LabelField({ dtype: 'float32' });

  const sourceOptions = source === undefined ? {} : /\.(tar\.gz|tgz|tar)$/.test(source) ? { archive: source } : { path: source };
  let [trainData, testData] = await IMDB.splits(TEXT, LABEL, sourceOptions);

  console.log(`Number of training examples: ${trainData.length}`);
  console.log(`Number of testing examples: ${testData.length}`);
  console.log(JSON.stringify(trainData.examples[0]).slice(0, 400) + '…');

  let validData;
  [trainData, validData] = trainData.split({ ratio: 0.7, seed: SEED });

  console.log(`Number of training examples: ${trainData.length}`);
  console.log(`Number of validation examples: ${validData.length}`);
  console.log(`Number of testing examples: ${testData.length}`);

  const MAX_VOCAB_SIZE = 25_000;
  TEXT.buildVocab(trainData, { maxSize: MAX_VOCAB_SIZE });
  LABEL.buildVocab(trainData);
  const textVocab = TEXT.vocab as data.Vocab;
  const labelVocab = LABEL.vocab as data.Vocab;

  console.log(`Unique tokens in TEXT vocabulary: ${textVocab.length}`);
  console.log(`Unique tokens in LABEL vocabulary: ${labelVocab.length}`);
  console.log(JSON.stringify(textVocab.freqs.mostCommon(20)));
  console.log(JSON.stringify(textVocab.itos.slice(0, 10)));
  console.log(JSON.stringify(labelVocab.stoi.toObject()));

  const BATCH_SIZE = 64;
  const device = resolveDevice((flag('device', 'auto') as 'auto'));
  const [trainIterator, validIterator, testIterator] = BucketIterator.splits([trainData, validData, testData], { batchSize: BATCH_SIZE, device, seed: SEED });
  const dataSeconds = (performance.now() - t0) / 1000;

  // --- Build the Model
  const INPUT_DIM = textVocab.length;
  const EMBEDDING_DIM = 100;
  const HIDDEN_DIM = 256;
  const OUTPUT_DIM = 1;
  const model = new models.RNNClassifier(INPUT_DIM, EMBEDDING_DIM, HIDDEN_DIM, OUTPUT_DIM);

  console.log(`The model has ${nn.countParameters(model).toLocaleString('en-US')} trainable parameters`);

  // --- Train the Model
  const optimizer = new optim.SGD(model.parameters(), { lr: 1e-3 });
  const criterion = new nn.BCEWithLogitsLoss();
  model.to(device);

  const N_EPOCHS = Number(flag('epochs', '5'));
  const checkpoint = path.join(out, 'tut1-model.pt');
  const records = fit(model, { train: trainIterator, valid: validIterator }, optimizer, criterion, {
    epochs: N_EPOCHS,
    checkpoint,
    onEpoch: (r) => {
      const { mins, secs } = epochTime(0, r.seconds * 1000);
      console.log(`Epoch: ${String(r.epoch).padStart(2, '0')} | Epoch Time: ${mins}m ${secs}s`);
      console.log(`\tTrain Loss: ${r.train.loss.toFixed(3)} | Train Acc: ${(r.train.acc * 100).toFixed(2)}%`);
      console.log(`\t Val. Loss: ${r.valid.loss.toFixed(3)} |  Val. Acc: ${(r.valid.acc * 100).toFixed(2)}%`);
    },
  });

  // fit() reloaded the best checkpoint (model.load_state_dict(torch.load('tut1-model.pt'))).
  const test = evaluate(model, testIterator, criterion, { desc: 'test' });
  console.log(`Test Loss: ${test.loss.toFixed(3)} | Test Acc: ${(test.acc * 100).toFixed(2)}%`);

  // --- Beyond the notebook: a bundle for `torch-sentiment predict`, metrics and curves.
  const config = { ...models.defaultConfig('rnn', INPUT_DIM, textVocab.stoi.get('<pad>')), embeddingDim: EMBEDDING_DIM, hiddenDim: HIDDEN_DIM, outputDim: OUTPUT_DIM };
  saveBundle(path.join(out, 'bundle'), { model, config, vocab: textVocab, labels: labelVocab.itos, tokenizer: 'spacy', lower: false });
  const epochs = metricsFrom(records);
  writeMetrics(path.join(out, 'metrics.json'), {
    epochs,
    test,
    settings: { model: 'rnn', seed: SEED, maxVocabSize: MAX_VOCAB_SIZE, batchSize: BATCH_SIZE, embeddingDim: EMBEDDING_DIM, hiddenDim: HIDDEN_DIM, optimizer: 'SGD', lr: 1e-3, epochs: N_EPOCHS, tokenizer: 'spacy' },
    versions: { library: require('../package.json').version, libtorch: addonInfo.libtorchVersion, blas: addonInfo.blas.core },
    device,
    dataSeconds,
    totalSeconds: (performance.now() - t0) / 1000,
  });
  writePlot(path.join(out, 'curves.svg'), epochs);
  console.log(`Data preparation ${dataSeconds.toFixed(1)} s, total ${((performance.now() - t0) / 1000).toFixed(1)} s on ${device}; wrote ${out}/{tut1-model.pt,bundle/,metrics.json,curves.svg}`);
  model.dispose();
  optimizer.dispose();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
