// Tiny trained bundles for the serving tests: the CLI's `train` on the synthetic IMDb folder, once per
// model and tokenizer, kept in the temp folder so the test files of one run share them.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { syntheticImdb } from '../../helpers/synthetic-imdb';

const root = path.resolve(__dirname, '..', '..', '..');

export function tinyBundle(model: 'fasttext' | 'rnn' | 'lstm' | 'cnn', tokenizer: 'basic_english' | 'spacy' | 'whitespace' = 'basic_english'): string {
  const out = path.join(os.tmpdir(), `torch-sentiment-serve-${model}-${tokenizer}-${process.getuid?.() ?? 0}`);
  const bundle = path.join(out, 'bundle');
  if (fs.existsSync(path.join(bundle, 'config.json'))) return bundle;
  const tmp = fs.mkdtempSync(`${out}-tmp-`);
  const data = syntheticImdb(40);
  const r = spawnSync(process.execPath, ['-r', './scripts/register-ts.js', 'lib/cli/main.ts', 'train', '--model', model, '--tokenizer', tokenizer, '--epochs', model === 'fasttext' ? '8' : '4', '--batch-size', '16', '--data', data, '--out', tmp, '--no-progress', '--threads', '1'], { cwd: root, encoding: 'utf8', env: { ...process.env, TORCH_SENTIMENT_IMDB: '' } });
  fs.rmSync(data, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`training the ${model} test bundle failed:\n${r.stdout}\n${r.stderr}`);
  try {
    fs.renameSync(tmp, out);
  } catch {
    // Another test file trained it at the same time: use theirs.
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return bundle;
}
