// Host-time profile of training epochs of the tutorial's model: where the host's time goes per phase
// (making batches, forward + loss + accuracy, zeroGrad, backward, step, reading results back). Three
// epochs: zeroGrad in place twice, then setToNone. The collate column times a second, separate collation
// of each batch (the batch column includes its own), so the loop's time is total - collate.
// Run: npm run build:ts && node bench/epoch-profile.js cuda ../shared/data/aclImdb-labelled.tar.gz
// On the GPU kit: TS_LIB_DIR=.gpu/build/lib TORCH_SENTIMENT_BINARY=build/Release/torch_sentiment.node node bench/epoch-profile.js cuda .gpu/aclImdb-labelled.tar.gz
const path = require('path');
// The compiled library: dist/ (npm run build:ts) by default, or the GPU kit's .gpu/build/lib.
const LIB = process.env.TS_LIB_DIR ? path.resolve(process.env.TS_LIB_DIR) : path.join(__dirname, '..', 'dist');
const t = require(LIB);
const { data, manualSeed, models, nn, optim, cuda } = t;
const { binaryAccuracyTensor } = require(path.join(LIB, 'train', 'metrics'));
async function main() {
  const device = process.argv[2] || 'cuda';
  const src = process.argv[3];
  if (!src) throw new Error('usage: node bench/epoch-profile.js cpu|cuda ARCHIVE  (PROFILE_BATCHES=N to stop early)');
  if (device === 'cpu') {
    // The tutorial's CPU settings (README, "Speed on the CPU").
    t.tuneAllocator();
    t.setFlushDenormal(true);
    t.setBlasThreads(1);
  }
  manualSeed(1234);
  const TEXT = new data.Field({ tokenize: 'spacy' });
  const LABEL = new data.LabelField({ dtype: 'float32' });
  const [full, test] = await data.IMDB.splits(TEXT, LABEL, { archive: src });
  const [trainData, validData] = full.split({ ratio: 0.7, seed: 1234 });
  TEXT.buildVocab(trainData, { maxSize: 25000 });
  LABEL.buildVocab(trainData);
  const V = TEXT.vocab.length;
  const [it] = data.BucketIterator.splits([trainData, validData, test], { batchSize: 64, device, seed: 1234 });
  const model = new models.RNNClassifier(V, 100, 256, 1).to(device);
  const opt = new optim.SGD(model.parameters(), { lr: 1e-3 });
  const crit = new nn.BCEWithLogitsLoss();
  model.train();
  for (const setToNone of [false, false, true]) {
    const T = { collate: 0, batch: 0, fwd: 0, zero: 0, bwd: 0, step: 0, item: 0, dispose: 0 };
    let now = performance.now();
    const lap = (k) => { const n = performance.now(); T[k] += n - now; now = n; };
    cuda.synchronize();
    const start = performance.now(); now = start;
    let loss = 0;
    let nb = 0; const maxB = Number(process.env.PROFILE_BATCHES || 1e9);
    for (const ex of it.nextEpochExamples()) {
      if (nb++ >= maxB) break;
      const c = data.collate(ex, it.dataset.fields); lap('collate');
      const b = data.Batch.fromExamples(ex, it.dataset.fields, device); lap('batch');
      const r = t.tidy(() => {
        const p = model.forward(b.text).squeeze(1);
        const l = crit.forward(p, b.label);
        const a = binaryAccuracyTensor(p, b.label); lap('fwd');
        opt.zeroGrad({ setToNone }); lap('zero');
        l.backward(); lap('bwd');
        opt.step(); lap('step');
        return [l, a];
      });
      loss += r[0].item(); r[1].item(); lap('item');
      r.forEach((x) => x.dispose()); b.dispose(); lap('dispose');
    }
    cuda.synchronize();
    const total = performance.now() - start;
    console.log(JSON.stringify({ device, setToNone, total_ms: Math.round(total), ...Object.fromEntries(Object.entries(T).map(([k, v]) => [k, Math.round(v)])), loss: loss / it.length }));
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
