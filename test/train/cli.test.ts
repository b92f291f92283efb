// The torch-sentiment CLI end to end on a small dataset: train saves a bundle that predict and
// evaluate use alone; bad flags and missing files are one-line errors with a non-zero exit.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { addonInfo, loadBundle, load } from '../../lib';
import { syntheticImdb } from '../helpers/synthetic-imdb';

const root = path.resolve(__dirname, '..', '..');
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['-r', './scripts/register-ts.js', 'lib/cli/main.ts', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, TORCH_SENTIMENT_IMDB: '' } });
}

describe('torch-sentiment CLI', () => {
  const data = syntheticImdb(32);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));

  test('--help documents every flag', () => {
    const r = cli('--help');
    expect(r.status).toBe(0);
    for (const flag of ['--model', '--epochs', '--batch-size', '--vocab-size', '--lr', '--optimizer', '--seed', '--device', '--data', '--out', '--model-dir', '--full-train', '--vectors']) {
      expect(r.stdout).toContain(flag);
    }
  });

  test('bad flags and missing files: one line on stderr, non-zero exit', () => {
    const cases: Array<[string[], RegExp]> = [
      [['train', '--epochs', 'x'], /--epochs expects an integer >= 1, got 'x'/],
      [['train', '--model', 'bert'], /--model expects one of rnn, lstm, fasttext, cnn, nbsvm, got 'bert'/],
      [['train', '--full-train'], /--full-train is for --model nbsvm .*got --model rnn/],
      [['train', '--model', 'nbsvm', '--vectors', 'glove.txt'], /--vectors: nbsvm has no word embedding/],
      [['train', '--vectors', '/nonexistent/glove.txt'], /--vectors: \/nonexistent\/glove.txt does not exist/],
      [['train', '--model', 'nbsvm', '--optimizer', 'sgd'], /--optimizer: nbsvm trains with adam only, got 'sgd'/],
      [['train', '--bogus'], /Unknown option '--bogus'/],
      [['train', '--data', '/nonexistent/imdb.tar.gz'], /--data: \/nonexistent\/imdb.tar.gz does not exist/],
      [['predict', '--model-dir', '/nonexistent', 'hi'], /bundle folder \/nonexistent does not exist/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['train', '--device', 'tpu'], /--device expects auto, cpu, cuda or cuda:N, got 'tpu'/],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  test('train -> bundle -> predict and evaluate', () => {
    const t = cli('train', '--data', path.join(data, 'aclImdb'), '--epochs', '2', '--batch-size', '8', '--model', 'fasttext', '--lr', '0.05', '--tokenizer', 'whitespace', '--out', out, '--no-progress', '--device', 'cpu');
    expect(t.stderr).toBe('');
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/data: 45 train \/ 19 valid \/ 64 test/);
    for (const f of ['bundle/model.pt', 'bundle/vocab.json', 'bundle/config.json', 'metrics.json', 'curves.svg']) expect(fs.existsSync(path.join(out, f))).toBe(true);
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.epochs).toHaveLength(2);
    expect(metrics.versions.libtorch).toMatch(/^\d+\.\d+/);
    expect(metrics.versions.blas).toBe(addonInfo.blas.core); // which OpenBLAS kernels ran (null: not OpenBLAS)
    expect(Object.keys(load(path.join(out, 'bundle', 'model.pt')))).toEqual(['embedding.weight', 'fc.weight', 'fc.bias']);

    const p = cli('predict', '--model-dir', path.join(out, 'bundle'), '--device', 'cpu', 'great wonderful superb');
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/^0\.\d{4} (pos|neg)\n$/);
    const bundle = loadBundle(path.join(out, 'bundle'));
    expect(Number(p.stdout.split(' ')[0])).toBeCloseTo(bundle.predict('great wonderful superb').probability, 4);
    bundle.model.dispose();

    const e = cli('evaluate', path.join(out, 'bundle'), '--data', path.join(data, 'aclImdb'), '--no-progress', '--device', 'cpu');
    expect(e.status).toBe(0);
    expect(e.stdout).toMatch(/test: 64 reviews, loss \d\.\d{3}, acc \d+\.\d{2}%/);
  });

  test('nbsvm: train -> bundle (features.pt) -> predict and evaluate', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-nbsvm-'));
    const t = cli('train', '--model', 'nbsvm', '--data', path.join(data, 'aclImdb'), '--epochs', '3', '--batch-size', '8', '--lr', '0.05', '--out', dir, '--no-progress', '--device', 'cpu');
    expect(t.stderr).toBe('');
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/data: 45 train \/ 19 valid \/ 64 test, [\d,]+ n-gram features/);
    expect(t.stdout).toMatch(/epoch 3: train loss \d\.\d{3} \| valid loss \d\.\d{3} acc \d+\.\d{2}%/);
    for (const f of ['model.pt', 'features.pt', 'vocab.json', 'config.json']) expect(fs.existsSync(path.join(dir, 'bundle', f))).toBe(true);
    expect(Object.keys(load(path.join(dir, 'bundle', 'model.pt')))).toEqual(['embedding.weight', 'fc.weight', 'fc.bias']);
    const pos = cli('predict', '--model-dir', path.join(dir, 'bundle'), '--device', 'cpu', 'great wonderful superb');
    expect(pos.status).toBe(0);
    expect(pos.stdout).toMatch(/^0\.\d{4} pos\n$/);
    const neg = cli('predict', '--model-dir', path.join(dir, 'bundle'), '--device', 'cpu', 'awful terrible boring');
    expect(neg.stdout).toMatch(/^0\.\d{4} neg\n$/);
    const e = cli('evaluate', path.join(dir, 'bundle'), '--data', path.join(data, 'aclImdb'), '--no-progress', '--device', 'cpu');
    expect(e.stderr).toBe('');
    expect(e.stdout).toMatch(/test: 64 reviews, loss \d\.\d{3}, acc \d+\.\d{2}%/);
    const full = cli('train', '--model', 'nbsvm', '--full-train', '--data', path.join(data, 'aclImdb'), '--epochs', '1', '--out', dir, '--no-progress', '--device', 'cpu');
    expect(full.status).toBe(0);
    expect(full.stdout).toMatch(/data: 64 train \/ 0 valid \/ 64 test/);
  });

  test('--vectors: the embedding starts from the pretrained vectors (tutorial 2)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-vectors-'));
    const file = path.join(dir, 'vectors.vec');
    fs.writeFileSync(file, '3 4\ngreat 1 1 1 1\nawful -1 -1 -1 -1\nfilm 0 0.5 0 0.5\n');
    const t = cli('train', '--model', 'fasttext', '--vectors', file, '--data', path.join(data, 'aclImdb'), '--epochs', '1', '--batch-size', '8', '--tokenizer', 'whitespace', '--out', dir, '--no-progress', '--device', 'cpu');
    expect(t.stderr).toBe('');
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/vectors: 3 of dimension 4 from .*vectors.vec, 3 of the vocabulary's words found/);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'bundle', 'config.json'), 'utf8'));
    expect(config.model.embeddingDim).toBe(4);
    expect(config.preprocessing).toBe('bigrams');
    const vocab = JSON.parse(fs.readFileSync(path.join(dir, 'bundle', 'vocab.json'), 'utf8'));
    expect(vocab.itos).toContain('great wonderful'.split(' ')[0]);
    expect(vocab.itos.some((w: string) => w.includes(' '))).toBe(true); // bigrams
  });

  test('loadBundle names what is missing', () => {
    expect(() => loadBundle(fs.mkdtempSync(path.join(os.tmpdir(), 'empty-bundle-')))).toThrow(/config.json is missing: not a model bundle folder/);
  });
});
