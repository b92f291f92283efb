// Checks of a model bundle's files before anything is built from them (issue 12): config.json's
// every field (type and range), vocab.json, and the weights' names, shapes, dtypes and values
// against what the config implies. Each error names the file and the field. A config that asks
// for 1000 LSTM layers is refused before a single layer is allocated, because the weights are
// read first and compared by shape (a model is then built only for weights that fit it).
import { TorchError } from '../errors';
import type { ModelConfig } from '../models';
import { MODEL_NAMES } from '../models';
import type { Tensor } from '../tensor';
import { describe } from '../validate';

/** A bundle that cannot be loaded: `file` and `field` say where. */
export class BundleError extends TorchError {
  readonly file: string;
  readonly field: string | undefined;

  constructor(file: string, field: string | undefined, message: string) {
    super(field === undefined ? `${file}: ${message}` : `${file}: ${field} ${message}`);
    this.name = 'BundleError';
    this.file = file;
    this.field = field;
  }
}

/** Upper bounds of a bundle's hyperparameters: far above any sentiment model, far below what exhausts memory. */
export const BUNDLE_LIMITS = {
  vocabSize: 10_000_000,
  dim: 1 << 16,
  nLayers: 64,
  filterSizes: 64,
  filterSize: 1024,
} as const;

const TOKENIZERS = ['spacy', 'basic_english', 'whitespace'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function int(file: string, field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new BundleError(file, field, `must be an integer in [${min}, ${max}], got ${describe(v)}`);
  }
  return v;
}

/** The parts of config.json that loadBundle uses, checked. `weights` (optional) names the weights file. */
export interface CheckedBundleConfig {
  model: ModelConfig;
  tokenizer: (typeof TOKENIZERS)[number];
  lower: boolean;
  labels: [string, string];
  specials: string[];
  weights: string | undefined;
  /** The text field's preprocessing after tokenizing: 'bigrams' (FastText) or none. */
  preprocessing: 'bigrams' | undefined;
}

/** config.json, parsed: every field loadBundle uses, with its type and range. */
export function checkBundleConfig(file: string, raw: unknown, format: string, weightsFiles: readonly string[]): CheckedBundleConfig {
  if (!isRecord(raw)) throw new BundleError(file, undefined, `must hold a JSON object, got ${describe(raw)}`);
  if (raw.format !== format) throw new BundleError(file, 'format', `must be ${JSON.stringify(format)}, got ${describe(raw.format)}`);
  if (!TOKENIZERS.includes(raw.tokenizer as never)) {
    throw new BundleError(file, 'tokenizer', `must be one of ${TOKENIZERS.join(', ')}, got ${describe(raw.tokenizer)}`);
  }
  if (typeof raw.lower !== 'boolean') throw new BundleError(file, 'lower', `must be a boolean, got ${describe(raw.lower)}`);
  const labels = raw.labels;
  if (!Array.isArray(labels) || labels.length !== 2 || labels.some((l) => typeof l !== 'string') || labels[0] === labels[1]) {
    throw new BundleError(file, 'labels', `must be two different strings (label 0, label 1), got ${describe(labels)}`);
  }
  const specials = raw.specials;
  if (!Array.isArray(specials) || specials.some((s) => typeof s !== 'string')) {
    throw new BundleError(file, 'specials', `must be an array of strings, got ${describe(specials)}`);
  }
  const weights = raw.weights;
  if (weights !== undefined && !weightsFiles.includes(weights as string)) {
    const got = typeof weights === 'string' ? JSON.stringify(weights) : describe(weights);
    throw new BundleError(file, 'weights', `must be one of ${weightsFiles.join(', ')}, not ${got}`);
  }
  if (raw.preprocessing !== undefined && raw.preprocessing !== 'bigrams') {
    throw new BundleError(file, 'preprocessing', `must be 'bigrams' or absent, got ${describe(raw.preprocessing)}`);
  }
  return { model: checkModelConfig(file, raw.model), tokenizer: raw.tokenizer as CheckedBundleConfig['tokenizer'], lower: raw.lower,
    labels: labels as [string, string], specials: specials as string[], weights: weights as string | undefined,
    preprocessing: raw.preprocessing as 'bigrams' | undefined };
}

function checkModelConfig(file: string, raw: unknown): ModelConfig {
  if (!isRecord(raw)) throw new BundleError(file, 'model', `must be an object, got ${describe(raw)}`);
  const m = raw;
  if (!MODEL_NAMES.includes(m.model as never)) throw new BundleError(file, 'model.model', `must be one of ${MODEL_NAMES.join(', ')}, got ${describe(m.model)}`);
  const L = BUNDLE_LIMITS;
  const vocabSize = int(file, 'model.vocabSize', m.vocabSize, 1, L.vocabSize);
  const c: ModelConfig = {
    model: m.model as ModelConfig['model'],
    vocabSize,
    embeddingDim: int(file, 'model.embeddingDim', m.embeddingDim, 1, L.dim),
    hiddenDim: int(file, 'model.hiddenDim', m.hiddenDim, 1, L.dim),
    // predict reads one logit (sigmoid): a binary classifier.
    outputDim: int(file, 'model.outputDim', m.outputDim, 1, 1),
    nLayers: int(file, 'model.nLayers', m.nLayers, 1, L.nLayers),
    bidirectional: m.bidirectional as boolean,
    dropout: m.dropout as number,
    padIdx: int(file, 'model.padIdx', m.padIdx, 0, vocabSize - 1),
    nFilters: int(file, 'model.nFilters', m.nFilters, 1, L.dim),
    filterSizes: m.filterSizes as number[],
  };
  if (typeof c.bidirectional !== 'boolean') throw new BundleError(file, 'model.bidirectional', `must be a boolean, got ${describe(c.bidirectional)}`);
  if (typeof c.dropout !== 'number' || !(c.dropout >= 0 && c.dropout <= 1)) throw new BundleError(file, 'model.dropout', `must be a number in [0, 1], got ${describe(c.dropout)}`);
  if (!Array.isArray(c.filterSizes) || c.filterSizes.length < 1 || c.filterSizes.length > L.filterSizes) {
    throw new BundleError(file, 'model.filterSizes', `must be an array of 1 to ${L.filterSizes} integers, got ${describe(c.filterSizes)}`);
  }
  c.filterSizes.forEach((f, i) => int(file, `model.filterSizes[${i}]`, f, 1, L.filterSize));
  // nbsvm: the longest n-gram its features.pt was hashed with.
  if (c.model === 'nbsvm') c.ngrams = int(file, 'model.ngrams', m.ngrams, 1, 8);
  return c;
}

/** vocab.json's itos, checked against the config: strings, as many as the model's rows, no duplicates. */
export function checkVocabFile(file: string, raw: unknown, config: CheckedBundleConfig): string[] {
  if (!isRecord(raw)) throw new BundleError(file, undefined, `must hold a JSON object {itos, labels}, got ${describe(raw)}`);
  const itos = raw.itos;
  if (!Array.isArray(itos)) throw new BundleError(file, 'itos', `must be an array of strings, got ${describe(itos)}`);
  const bad = itos.findIndex((w) => typeof w !== 'string');
  if (bad >= 0) throw new BundleError(file, `itos[${bad}]`, `must be a string, got ${describe(itos[bad])}`);
  if (config.model.model === 'nbsvm') {
    // Its vocabulary is features.pt's hashed n-grams; vocabSize counts those.
    if (itos.length) throw new BundleError(file, 'itos', `must be empty for an nbsvm model (its n-grams are in features.pt), got ${itos.length} words`);
  } else if (itos.length !== config.model.vocabSize) {
    throw new BundleError(file, 'itos', `has ${itos.length} words but config.json's model.vocabSize is ${config.model.vocabSize}`);
  }
  if (new Set(itos).size !== itos.length) throw new BundleError(file, 'itos', 'has duplicate words');
  return itos as string[];
}

/** Name -> shape of every tensor in the state dict of the model `config` describes (PyTorch's names). */
export function expectedShapes(config: ModelConfig): Map<string, number[]> {
  const { vocabSize: V, embeddingDim: E, hiddenDim: H, outputDim: O } = config;
  const out = new Map<string, number[]>([['embedding.weight', [V, E]]]);
  const linear = (name: string, input: number, output: number) => {
    out.set(`${name}.weight`, [output, input]);
    out.set(`${name}.bias`, [output]);
  };
  switch (config.model) {
    case 'rnn':
      out.set('rnn.weight_ih_l0', [H, E]).set('rnn.weight_hh_l0', [H, H]).set('rnn.bias_ih_l0', [H]).set('rnn.bias_hh_l0', [H]);
      linear('fc', H, O);
      break;
    case 'lstm': {
      const dirs = config.bidirectional ? 2 : 1;
      for (let l = 0; l < config.nLayers; l++) {
        for (const sfx of config.bidirectional ? ['', '_reverse'] : ['']) {
          out.set(`rnn.weight_ih_l${l}${sfx}`, [4 * H, l === 0 ? E : H * dirs]).set(`rnn.weight_hh_l${l}${sfx}`, [4 * H, H]);
          out.set(`rnn.bias_ih_l${l}${sfx}`, [4 * H]).set(`rnn.bias_hh_l${l}${sfx}`, [4 * H]);
        }
      }
      linear('fc', H * dirs, O);
      break;
    }
    case 'fasttext':
    case 'nbsvm': // embedding.weight is its EmbeddingBag's
      linear('fc', E, O);
      break;
    case 'cnn':
      config.filterSizes.forEach((fs, i) => {
        out.set(`convs.${i}.weight`, [config.nFilters, 1, fs, E]).set(`convs.${i}.bias`, [config.nFilters]);
      });
      linear('fc', config.filterSizes.length * config.nFilters, O);
      break;
  }
  return out;
}

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * The weights read from `file`, checked against `config` before any model is built: exactly the
 * expected names, each with its shape, float32 (float16/float64 are refused: bundles hold float32,
 * save `t.float()`), and every value finite (a NaN weight would label every text).
 */
export function checkWeights(file: string, weights: Record<string, Tensor>, config: ModelConfig): void {
  const expected = expectedShapes(config);
  for (const name of Object.keys(weights)) {
    if (!expected.has(name)) {
      throw new BundleError(file, `tensor '${name}'`, `is not a weight of the ${config.model} model config.json describes ` +
        `(expected ${[...expected.keys()].slice(0, 6).join(', ')}${expected.size > 6 ? ', ...' : ''})`);
    }
  }
  for (const [name, shape] of expected) {
    const t = weights[name];
    if (t === undefined) throw new BundleError(file, `tensor '${name}'`, `is missing (config.json describes a ${config.model} model that has it)`);
    const got = t.shape;
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
      throw new BundleError(file, `tensor '${name}'`, `has shape ${shapeText(got)} but config.json implies ${shapeText(shape)}`);
    }
    if (t.dtype !== 'float32') {
      throw new BundleError(file, `tensor '${name}'`, `is ${String(t.dtype)}; bundle weights must be float32 (convert with .float() before saving)`);
    }
    const data = t.toTypedArray() as Float32Array;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw new BundleError(file, `tensor '${name}'`, `holds a non-finite value (${data[i]}) at flat index ${i}`);
    }
  }
}
