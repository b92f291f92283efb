'use strict';
// Run by scripts/test-package.sh inside a project that installed the packed tarball:
//   node package-check.js <prebuild|source>
// Loads `torch-sentiment` as a user would, checks which binary it loaded, builds a small model
// (Embedding -> LSTM -> Linear), runs forward, backward and optimizer steps, and predicts; checks that
// `torch-sentiment/serve` resolves with the files serving needs. Every step is asserted; any failure
// exits non-zero.
const assert = require('assert');
const path = require('path');

const expect = process.argv[2];
assert.ok(expect === 'prebuild' || expect === 'source', 'usage: node package-check.js <prebuild|source>');

const started = Date.now();
const torch = require(require.resolve('torch-sentiment', { paths: [process.cwd()] }));
const loadMs = Date.now() - started;
const { nn, optim } = torch;

const file = torch.addonInfo.file;
const where = expect === 'prebuild' ? `${path.sep}prebuilds${path.sep}` : `${path.sep}build${path.sep}Release${path.sep}`;
assert.ok(file.includes(`${path.sep}node_modules${path.sep}torch-sentiment${path.sep}`), `addon loaded from outside the installed package: ${file}`);
assert.ok(file.includes(where), `expected the ${expect} binary, loaded ${file}`);

class Classifier extends nn.Module {
  constructor(vocab, embeddingDim, hiddenDim) {
    super();
    this.embedding = new nn.Embedding(vocab, embeddingDim, { paddingIdx: 0 });
    this.rnn = new nn.LSTM(embeddingDim, hiddenDim);
    this.fc = new nn.Linear(hiddenDim, 1);
  }
  // text: [sent len, batch size] -> logits: [batch size]
  forward(text) {
    return torch.tidy(() => {
      const [, [hidden]] = this.rnn.forward(this.embedding.forward(text));
      return this.fc.forward(hidden.squeeze(0)).squeeze(1);
    });
  }
}

torch.manualSeed(1234);
const liveBefore = torch.liveTensors();
const model = new Classifier(/*vocab=*/ 50, /*embeddingDim=*/ 8, /*hiddenDim=*/ 16);
const names = model.namedParameters().map(([n]) => n);
assert.deepStrictEqual(names, ['embedding.weight', 'rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'fc.weight', 'fc.bias']);

const text = torch.randint(1, 50, [7, 4], { dtype: 'int64' });
const labels = torch.tensor([1, 0, 1, 0], { dtype: 'float32' });
const criterion = new nn.BCEWithLogitsLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 0.05 });

// One forward + backward, checked in detail.
const first = torch.tidy(() => {
  optimizer.zeroGrad();
  const logits = model.forward(text);
  assert.deepStrictEqual(logits.shape, [4]);
  const loss = criterion.forward(logits, labels);
  loss.backward();
  for (const [name, p] of model.namedParameters()) {
    const g = p.grad;
    assert.ok(g !== null, `${name}.grad is null after backward()`);
    assert.deepStrictEqual(g.shape, p.shape, `${name}.grad shape`);
    const values = Array.from(g.toTypedArray());
    assert.ok(values.every(Number.isFinite), `${name}.grad has a non-finite value`);
    assert.ok(values.some((v) => v !== 0), `${name}.grad is all zeros`);
  }
  const before = Array.from(model.fc.weight.toTypedArray());
  optimizer.step();
  const after = Array.from(model.fc.weight.toTypedArray());
  assert.ok(before.some((v, i) => v !== after[i]), 'optimizer.step() left fc.weight unchanged');
  return loss.item();
});
assert.ok(Number.isFinite(first) && first > 0, `first loss ${first}`);

// A few more steps on the same batch: the loss must fall.
let last = first;
for (let i = 0; i < 30; i++) {
  last = torch.tidy(() => {
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(text), labels);
    loss.backward();
    optimizer.step();
    return loss.item();
  });
}
assert.ok(last < first * 0.5, `loss did not fall: ${first} -> ${last}`);

// Predict: sigmoid of the output, in eval mode without gradients.
model.eval();
const probs = torch.tidy(() => Array.from(torch.noGrad(() => model.forward(text).sigmoid()).toTypedArray()));
assert.strictEqual(probs.length, 4);
assert.ok(probs.every((p) => p > 0 && p < 1), `probabilities out of (0, 1): ${probs}`);
const predicted = probs.map((p) => (p >= 0.5 ? 1 : 0));
assert.deepStrictEqual(predicted, [1, 0, 1, 0], `predictions ${probs}`);

optimizer.dispose();
model.dispose();
text.dispose();
labels.dispose();
assert.strictEqual(torch.liveTensors(), liveBefore, 'tensors leaked');

// The serving entry point, as `exports` maps it (and as TypeScript's node10 resolution finds its types
// through `typesVersions`), with the files it needs at run time.
const pkgDir = path.dirname(require.resolve('torch-sentiment/package.json', { paths: [process.cwd()] }));
const servePath = require.resolve('torch-sentiment/serve', { paths: [process.cwd()] });
assert.strictEqual(servePath, path.join(pkgDir, 'dist', 'serve', 'index.js'), `torch-sentiment/serve resolved to ${servePath}`);
const serve = require(servePath);
for (const name of ['createPredictor', 'sentimentPlugin', 'startServer', 'ServeError']) {
  assert.strictEqual(typeof serve[name], 'function', `torch-sentiment/serve lacks ${name}`);
}
const pkg = require(path.join(pkgDir, 'package.json'));
assert.strictEqual(pkg.exports['./serve'].types, './dist/serve/index.d.ts', 'exports["./serve"].types');
assert.deepStrictEqual(pkg.typesVersions['*'].serve, ['dist/serve/index.d.ts'], 'typesVersions for torch-sentiment/serve');
for (const f of ['dist/serve/index.d.ts', 'dist/serve/worker.js', 'static/serve/index.html']) {
  assert.ok(require('fs').existsSync(path.join(pkgDir, f)), `the installed package lacks ${f}`);
}

const rel = file.slice(file.lastIndexOf(`${path.sep}node_modules${path.sep}`) + 1);
console.log(
  `package-check (${expect}): OK: loaded ${rel} (libtorch ${torch.addonInfo.libtorchVersion}, ${torch.addonInfo.variant}, ` +
    `from ${torch.addonInfo.libtorchSource}) in ${loadMs} ms; loss ${first.toFixed(4)} -> ${last.toFixed(4)}; ` +
    `p = [${probs.map((p) => p.toFixed(3)).join(', ')}]`,
);
