// Bundles with safetensors weights: saveBundle(..., { weightsFormat: 'safetensors' }) writes
// model.safetensors and names it in config.json; loadBundle reads it and predicts as a model.pt bundle
// does; a config.json naming any other file is refused (it must not reach outside the folder).
import * as fs from 'fs';
import * as path from 'path';
import { createModel, defaultConfig } from '../../lib/models';
import { loadBundle, saveBundle, manualSeed } from '../../lib';
import { vocabFromItos } from '../../lib/train/bundle';
import { tempDir } from './harness';

test('a bundle saved with safetensors weights loads and predicts as the model.pt bundle', () => {
  const dir = tempDir('bundle');
  try {
    manualSeed(3);
    const itos = ['<unk>', '<pad>', 'good', 'bad', 'film'];
    const config = { ...defaultConfig('fasttext', itos.length, 1), embeddingDim: 8 };
    const model = createModel(config);
    const parts = { model, config, vocab: vocabFromItos(itos, ['<unk>', '<pad>']), labels: ['neg', 'pos'], tokenizer: 'basic_english' as const, lower: true };
    saveBundle(path.join(dir, 'pt'), parts);
    saveBundle(path.join(dir, 'st'), parts, { weightsFormat: 'safetensors' });
    model.dispose();
    expect(fs.readdirSync(path.join(dir, 'st')).sort()).toEqual(['config.json', 'model.safetensors', 'vocab.json']);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'st', 'config.json'), 'utf8')).weights).toBe('model.safetensors');
    const a = loadBundle(path.join(dir, 'pt'));
    const b = loadBundle(path.join(dir, 'st'));
    try {
      for (const text of ['good film', 'bad bad film', 'unknown words']) expect(b.predict(text)).toEqual(a.predict(text));
    } finally {
      a.model.dispose();
      b.model.dispose();
    }
    const cfgFile = path.join(dir, 'st', 'config.json');
    const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8'));
    fs.writeFileSync(cfgFile, JSON.stringify({ ...cfg, weights: '../pt/model.pt' }));
    expect(() => loadBundle(path.join(dir, 'st'))).toThrow(/weights must be one of model.pt, model.safetensors, not "..\/pt\/model.pt"/);
    expect(() => saveBundle(path.join(dir, 'x'), parts, { weightsFormat: 'onnx' as 'pytorch' })).toThrow(/options.weightsFormat/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
