// A model bundle: everything `predict` and `evaluate` need, in one folder.
//   model.pt     the weights, a state dict Python's torch.load reads (and load() reads back), or
//   model.safetensors  the same as safetensors (saveBundle's weightsFormat option; config.weights names it)
//   vocab.json   the text vocabulary (itos) and the label names
//   config.json  the model's hyperparameters, tokenizer, versions
import * as fs from 'fs';
import * as path from 'path';
import { Counter, Vocab, generateBigrams, getTokenizer } from '../data';
import type { TokenizerName } from '../data';
import { DeviceLike } from '../device';
import { TorchError } from '../errors';
import { ModelConfig, NBSVM, SentimentModel, createModel, loadFeatures, needsLengths, saveFeatures } from '../models';
import { addonInfo } from '../native';
import { checkString, invalid } from '../validate';
import type { CheckpointFormat } from '../checkpoint';
import { load, save } from '../serialize';
import { checkBundleConfig, checkVocabFile, checkWeights } from './bundle-config';
import { predictSentiment } from './predict';
import { tidy } from '../scope';
import { noGrad } from '../tensor';

export const BUNDLE_FORMAT = 'torch-sentiment-bundle/1';

export interface BundleConfig {
  format: string;
  model: ModelConfig;
  tokenizer: TokenizerName;
  lower: boolean;
  /** Label names by id: labels[1] is what a probability above 0.5 means. */
  labels: string[];
  specials: string[];
  libraryVersion: string;
  libtorchVersion: string;
  createdAt: string;
  /** The weights file in the folder: 'model.pt' (also when absent) or 'model.safetensors'. */
  weights?: WeightsFile;
  /** The text field's preprocessing after tokenizing: 'bigrams' (generateBigrams, FastText) or none. */
  preprocessing?: 'bigrams';
}

const WEIGHTS_FILES = ['model.pt', 'model.safetensors'] as const;
type WeightsFile = (typeof WEIGHTS_FILES)[number];

export interface LoadedBundle {
  model: SentimentModel;
  config: BundleConfig;
  vocab: Vocab;
  /** Probability of labels[1] and the label, for one text. */
  predict(text: string): { probability: number; label: string };
}

function libraryVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(__dirname, '..', '..', 'package.json')) as { version: string }).version;
}

/** A Vocab with exactly this itos (specials first), as saved in a bundle. */
export function vocabFromItos(itos: string[], specials: string[]): Vocab {
  const words = itos.filter((w) => !specials.includes(w));
  // Strictly decreasing counts reproduce the saved order.
  const counter = new Counter(words.map((w, i) => [w, words.length - i] as [string, number]));
  const vocab = new Vocab(counter, { specials });
  if (vocab.itos.length !== itos.length || vocab.itos.some((w, i) => w !== itos[i])) throw new TorchError('vocab.json: specials must come first in itos');
  return vocab;
}

export function saveBundle(
  dir: string,
  parts: { model: SentimentModel; config: ModelConfig; vocab: Vocab; labels: string[]; tokenizer: TokenizerName; lower: boolean; preprocessing?: 'bigrams' },
  options: { weightsFormat?: CheckpointFormat } = {},
): void {
  checkString('dir', dir);
  const format = options.weightsFormat ?? 'pytorch';
  if (format !== 'pytorch' && format !== 'safetensors') throw invalid('options.weightsFormat', "'pytorch' or 'safetensors'", format);
  const weights: WeightsFile = format === 'safetensors' ? 'model.safetensors' : 'model.pt';
  fs.mkdirSync(dir, { recursive: true });
  save(parts.model.stateDict(), path.join(dir, weights));
  // An NBSVM's n-gram vocabulary and ratios: not parameters, so the state dict stays PyTorch's
  // nn.EmbeddingBag + nn.Linear.
  if (parts.model instanceof NBSVM) saveFeatures(nbsvmFeatures(parts.model), path.join(dir, 'features.pt'));
  const specials = parts.vocab.itos.filter((w) => w === '<unk>' || w === '<pad>');
  fs.writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify({ itos: parts.vocab.itos, labels: parts.labels }));
  const config: BundleConfig = {
    format: BUNDLE_FORMAT,
    model: parts.config,
    tokenizer: parts.tokenizer,
    lower: parts.lower,
    labels: parts.labels,
    specials,
    libraryVersion: libraryVersion(),
    libtorchVersion: addonInfo.libtorchVersion,
    createdAt: new Date().toISOString(),
    ...(weights === 'model.pt' ? {} : { weights }),
    ...(parts.preprocessing === undefined ? {} : { preprocessing: parts.preprocessing }),
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
}

function nbsvmFeatures(model: NBSVM) {
  if (!model.features) throw new TorchError('the NBSVM model has no n-gram features to save (train it with trainNbsvm)');
  return model.features;
}

function nbsvmProbability(model: NBSVM, tokenize: (text: string) => string[], lower: boolean, text: string): number {
  checkString('text', text);
  const tokens = tokenize(text).map((t) => (lower ? t.toLowerCase() : t));
  model.eval();
  return noGrad(() => tidy(() => model.forwardTexts([tokens]).sigmoid().item() as number));
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new TorchError(`${file} is missing: not a model bundle folder (expected model.pt, vocab.json, config.json)`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new TorchError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Loads a bundle saved by saveBundle (or `torch-sentiment train`) onto a device. Every file is
 * checked before a model is built (see bundle-config.ts): config.json's fields, vocab.json, then
 * the weights' names, shapes, dtype and values against the config; each error names the file and field.
 */
export function loadBundle(dir: string, options: { device?: DeviceLike } = {}): LoadedBundle {
  checkString('dir', dir);
  const configFile = path.join(dir, 'config.json');
  const raw = readJson(configFile);
  const checked = checkBundleConfig(configFile, raw, BUNDLE_FORMAT, WEIGHTS_FILES);
  const config = { ...(raw as BundleConfig), model: checked.model };
  const vocabFile = path.join(dir, 'vocab.json');
  const itos = checkVocabFile(vocabFile, readJson(vocabFile), checked);
  const vocab = vocabFromItos(itos, checked.specials);
  const weightsFile = path.join(dir, checked.weights ?? 'model.pt');
  const weights = load(weightsFile);
  let model: SentimentModel | undefined;
  try {
    checkWeights(weightsFile, weights, checked.model);
    model = createModel(checked.model);
    model.loadStateDict(weights);
    if (model instanceof NBSVM) model.features = loadFeatures(path.join(dir, 'features.pt'), checked.model.ngrams as number, checked.model.vocabSize);
    if (options.device) model.to(options.device);
  } catch (e) {
    model?.dispose();
    throw e;
  } finally {
    for (const t of Object.values(weights)) t.dispose();
  }
  const loaded = model;
  const words = getTokenizer(config.tokenizer);
  const tokenize = checked.preprocessing === 'bigrams' ? (text: string) => generateBigrams(words(text)) : words;
  const minLength = config.model.model === 'cnn' ? Math.max(...config.model.filterSizes) : 1;
  return {
    model: loaded,
    config,
    vocab,
    predict(text: string) {
      const probability = loaded instanceof NBSVM ? nbsvmProbability(loaded, tokenize, config.lower, text) : predictSentiment(loaded, { vocab, tokenize, lower: config.lower }, text, { device: options.device, minLength, withLengths: needsLengths(config.model.model) });
      // Never a label for NaN (checkWeights refuses non-finite weights; this guards the arithmetic).
      if (!Number.isFinite(probability)) throw new TorchError(`${weightsFile}: the model gave a non-finite probability (${probability})`);
      return { probability, label: config.labels[probability >= 0.5 ? 1 : 0] };
    },
  };
}
