// loadBundle refuses bundles it cannot trust before building anything (issue 12): each config,
// vocab and weights fault is a BundleError naming the file and the field; the expected shapes
// match the models' own state dicts; the CLI exits non-zero, in one line, on each.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Counter, Vocab } from '../../lib/data';
import { createModel, defaultConfig, MODEL_NAMES } from '../../lib/models';
import { liveTensors } from '../../lib/tensor';
import { tensor } from '../../lib/factories';
import { save } from '../../lib/serialize';
import { BundleError, expectedShapes } from '../../lib/train/bundle-config';
import { loadBundle, saveBundle } from '../../lib/train/bundle';

const root = path.resolve(__dirname, '..', '..');
const words = Array.from({ length: 30 }, (_, i) => `w${i}`);
const vocab = new Vocab(new Counter(words.map((w, i) => [w, 100 - i] as [string, number])), { specials: ['<unk>', '<pad>'] });

function makeBundle(model: 'lstm' | 'fasttext' = 'lstm'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-'));
  const config = { ...defaultConfig(model, vocab.length, 1), embeddingDim: 4, hiddenDim: 3 };
  const m = createModel(config);
  saveBundle(dir, { model: m, config, vocab, labels: ['neg', 'pos'], tokenizer: 'basic_english', lower: false });
  m.dispose();
  return dir;
}

const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));
const editJson = (f: string, edit: (j: Record<string, unknown>) => unknown) => {
  const j = readJson(f);
  const out = edit(j);
  fs.writeFileSync(f, JSON.stringify(out === undefined ? j : out));
};

test('expectedShapes matches every model\'s state dict', () => {
  for (const name of MODEL_NAMES) {
    for (const extra of [{}, { nLayers: 3, bidirectional: false }, { filterSizes: [2, 5] }]) {
      const config = { ...defaultConfig(name, 50, 1), embeddingDim: 6, hiddenDim: 5, nFilters: 4, ...extra };
      const model = createModel(config);
      const sd = model.stateDict();
      const actual = new Map(Object.entries(sd).map(([k, t]) => [k, t.shape]));
      expect([name, actual]).toEqual([name, expectedShapes(config)]);
      model.dispose();
    }
  }
});

describe('bundle faults: one BundleError naming file and field, nothing built, nothing leaked', () => {
  const cases: Array<[string, (dir: string) => void, RegExp]> = [
    ['config is null', (d) => fs.writeFileSync(path.join(d, 'config.json'), 'null'), /config\.json: must hold a JSON object, got null/],
    ['vocab is null', (d) => fs.writeFileSync(path.join(d, 'vocab.json'), 'null'), /vocab\.json: must hold a JSON object/],
    ['no tokenizer', (d) => editJson(path.join(d, 'config.json'), (j) => { delete j.tokenizer; }), /config\.json: tokenizer must be one of/],
    ['unknown tokenizer', (d) => editJson(path.join(d, 'config.json'), (j) => { j.tokenizer = 'bert'; }), /tokenizer must be one of .*got string "bert"/],
    ['labels empty', (d) => editJson(path.join(d, 'config.json'), (j) => { j.labels = []; }), /config\.json: labels must be two different strings/],
    ['labels a string', (d) => editJson(path.join(d, 'config.json'), (j) => { j.labels = 'pos'; }), /labels must be two different strings/],
    ['lower a string', (d) => editJson(path.join(d, 'config.json'), (j) => { j.lower = 'false'; }), /config\.json: lower must be a boolean, got string "false"/],
    ['1000 layers', (d) => editJson(path.join(d, 'config.json'), (j) => { (j.model as { nLayers: number }).nLayers = 1000; }), /model\.nLayers must be an integer in \[1, 64\], got number 1000/],
    ['3 layers, weights of 2', (d) => editJson(path.join(d, 'config.json'), (j) => { (j.model as { nLayers: number }).nLayers = 3; }), /model\.pt: tensor 'rnn\.weight_ih_l2' is missing/],
    ['hidden size differs', (d) => editJson(path.join(d, 'config.json'), (j) => { (j.model as { hiddenDim: number }).hiddenDim = 300; }), /model\.pt: tensor 'rnn\.weight_ih_l0' has shape \[12, 4\] but config\.json implies \[1200, 4\]/],
    ['embedding dim a string', (d) => editJson(path.join(d, 'config.json'), (j) => { (j.model as { embeddingDim: unknown }).embeddingDim = '4'; }), /model\.embeddingDim must be an integer/],
    ['vocab entry a number', (d) => editJson(path.join(d, 'vocab.json'), (j) => { (j.itos as unknown[])[5] = 7; }), /vocab\.json: itos\[5\] must be a string, got number 7/],
    ['vocab entry an object', (d) => editJson(path.join(d, 'vocab.json'), (j) => { (j.itos as unknown[])[6] = {}; }), /vocab\.json: itos\[6\] must be a string, got object/],
    ['vocab too short', (d) => editJson(path.join(d, 'vocab.json'), (j) => { (j.itos as unknown[]).pop(); }), /vocab\.json: itos has 31 words but config\.json's model\.vocabSize is 32/],
    ['NaN weight', (d) => save(withWeight(d, 'fc.bias', tensor([NaN])), path.join(d, 'model.pt')), /model\.pt: tensor 'fc\.bias' holds a non-finite value \(NaN\)/],
    ['Inf weight', (d) => save(withWeight(d, 'fc.bias', tensor([Infinity])), path.join(d, 'model.pt')), /tensor 'fc\.bias' holds a non-finite value \(Infinity\)/],
    ['float64 weight', (d) => save(withWeight(d, 'fc.bias', tensor([0.5], { dtype: 'float64' })), path.join(d, 'model.pt')), /tensor 'fc\.bias' is float64; bundle weights must be float32/],
    ['float16 weight', (d) => save(withWeight(d, 'fc.weight', tensor([[0.5, 0.5, 0.5, 0.5, 0.5, 0.5]], { dtype: 'float16' })), path.join(d, 'model.pt')), /tensor 'fc\.weight' is float16; bundle weights must be float32/],
    ['extra weight', (d) => save(withWeight(d, 'extra.weight', tensor([1])), path.join(d, 'model.pt')), /tensor 'extra\.weight' is not a weight of the lstm model/],
    ['weights outside the folder', (d) => editJson(path.join(d, 'config.json'), (j) => { j.weights = '../model.pt'; }), /config\.json: weights must be one of model\.pt, model\.safetensors, not "\.\.\/model\.pt"/],
  ];

  function withWeight(dir: string, name: string, t: ReturnType<typeof tensor>) {
    const { load } = require('../../lib/serialize') as typeof import('../../lib/serialize');
    const sd = load(path.join(dir, 'model.pt'));
    sd[name]?.dispose();
    sd[name] = t;
    return sd;
  }

  test.each(cases)('%s', (_name, corrupt, message) => {
    const dir = makeBundle();
    corrupt(dir);
    const live = liveTensors();
    const t0 = performance.now();
    let error: unknown;
    try {
      loadBundle(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BundleError);
    expect((error as Error).message).toMatch(message);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(liveTensors()).toBe(live);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the CLI: one line, exit 1, for a null config and NaN weights', () => {
    for (const corrupt of [cases[0][1], cases[14][1]]) {
      const dir = makeBundle('fasttext');
      corrupt(dir);
      const r = spawnSync(process.execPath, ['-r', './scripts/register-ts.js', 'lib/cli/main.ts', 'predict', '--model-dir', dir, 'a good film'],
        { cwd: root, encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^torch-sentiment: .*(must hold a JSON object|non-finite)/);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a sound bundle still loads and predicts', () => {
    const dir = makeBundle();
    const b = loadBundle(dir);
    const p = b.predict('w1 w2 w3');
    expect(p.probability).toBeGreaterThan(0);
    expect(['neg', 'pos']).toContain(p.label);
    b.model.dispose();
  });
});
