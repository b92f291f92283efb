// The tutorial series' models, with PyTorch's module and parameter names so their state dicts load
// into the Python tutorials' classes and back.
import * as nn from '../nn';
import { cat } from '../factories';
import { Tensor } from '../tensor';
import { tidy } from '../scope';
import { NBSVM, NBSVM_DEFAULTS } from './nbsvm';
import { checkInteger, checkNumber, checkBoolean, checkOneOf, checkObject, invalid } from '../validate';

/** 1 - Simple Sentiment Analysis: Embedding -> RNN -> Linear on the last hidden state. */
export class RNNClassifier extends nn.Module {
  embedding: nn.Embedding;
  rnn: nn.RNN;
  fc: nn.Linear;
  constructor(inputDim: number, embeddingDim: number, hiddenDim: number, outputDim: number) {
    super();
    this.embedding = new nn.Embedding(inputDim, embeddingDim);
    this.rnn = new nn.RNN(embeddingDim, hiddenDim);
    this.fc = new nn.Linear(hiddenDim, outputDim);
  }
  /** text: [sent len, batch size] -> logits [batch size, output dim] */
  forward(text: Tensor): Tensor {
    return tidy(() => {
      const embedded = this.embedding.forward(text);
      const [, hidden] = this.rnn.forward(embedded);
      return this.fc.forward(hidden.squeeze(0));
    });
  }
}

/**
 * 2 - Upgraded Sentiment Analysis: padded embedding, packed sequences, multi-layer bidirectional
 * LSTM, dropout; the final forward and backward hidden states feed the classifier.
 */
export class LSTMClassifier extends nn.Module {
  embedding: nn.Embedding;
  rnn: nn.LSTM;
  fc: nn.Linear;
  dropout: nn.Dropout;
  readonly bidirectional: boolean;
  constructor(vocabSize: number, embeddingDim: number, hiddenDim: number, outputDim: number, nLayers: number, bidirectional: boolean, dropout: number, padIdx: number) {
    super();
    this.embedding = new nn.Embedding(vocabSize, embeddingDim, { paddingIdx: padIdx });
    this.rnn = new nn.LSTM(embeddingDim, hiddenDim, { numLayers: nLayers, bidirectional, dropout: nLayers > 1 ? dropout : 0 });
    this.fc = new nn.Linear(hiddenDim * (bidirectional ? 2 : 1), outputDim);
    this.dropout = new nn.Dropout(dropout);
    this.bidirectional = bidirectional;
  }
  /** text: [sent len, batch size], lengths: [batch size] -> logits [batch size, output dim] */
  forward(text: Tensor, lengths?: Tensor): Tensor {
    if (lengths === undefined) throw invalid('lengths', 'the text lengths (Field includeLengths: true)', lengths);
    return tidy(() => {
      const embedded = this.dropout.forward(this.embedding.forward(text));
      const packed = nn.packPaddedSequence(embedded, lengths.cpu(), { enforceSorted: false });
      const [, [hidden]] = this.rnn.forward(packed);
      const last = this.bidirectional ? cat([hidden.index(-2), hidden.index(-1)], 1) : hidden.index(-1);
      return this.fc.forward(this.dropout.forward(last));
    });
  }
}

/** 3 - Faster Sentiment Analysis (FastText): the average of the word embeddings -> Linear. */
export class FastText extends nn.Module {
  embedding: nn.Embedding;
  fc: nn.Linear;
  constructor(vocabSize: number, embeddingDim: number, outputDim: number, padIdx: number) {
    super();
    this.embedding = new nn.Embedding(vocabSize, embeddingDim, { paddingIdx: padIdx });
    this.fc = new nn.Linear(embeddingDim, outputDim);
  }
  forward(text: Tensor): Tensor {
    return tidy(() => {
      const embedded = this.embedding.forward(text).permute(1, 0, 2); // [batch, sent len, emb]
      const pooled = nn.functional.avgPool2d(embedded, [embedded.shape[1], 1]).squeeze(1);
      return this.fc.forward(pooled);
    });
  }
}

/** 4 - Convolutional Sentiment Analysis: parallel convolutions of several widths, max-pooled. */
export class CNN extends nn.Module {
  embedding: nn.Embedding;
  convs: nn.ModuleList<nn.Conv2d>;
  fc: nn.Linear;
  dropout: nn.Dropout;
  constructor(vocabSize: number, embeddingDim: number, nFilters: number, filterSizes: number[], outputDim: number, dropout: number, padIdx: number) {
    super();
    this.embedding = new nn.Embedding(vocabSize, embeddingDim, { paddingIdx: padIdx });
    this.convs = new nn.ModuleList(filterSizes.map((fs) => new nn.Conv2d(1, nFilters, [fs, embeddingDim])));
    this.fc = new nn.Linear(filterSizes.length * nFilters, outputDim);
    this.dropout = new nn.Dropout(dropout);
  }
  /** text: [sent len, batch size] (at least as long as the widest filter). */
  forward(text: Tensor): Tensor {
    return tidy(() => {
      const embedded = this.embedding.forward(text.t()).unsqueeze(1); // [batch, 1, sent len, emb]
      const pooled = [...this.convs].map((conv) => {
        const conved = conv.forward(embedded).relu().squeeze(3); // [batch, n filters, sent len - fs + 1]
        return nn.functional.maxPool1d(conved, conved.shape[2]).squeeze(2);
      });
      return this.fc.forward(this.dropout.forward(cat(pooled, 1)));
    });
  }
}

export type ModelName = 'rnn' | 'lstm' | 'fasttext' | 'cnn' | 'nbsvm';
export const MODEL_NAMES: readonly ModelName[] = ['rnn', 'lstm', 'fasttext', 'cnn', 'nbsvm'];

/** Everything needed to rebuild a model: saved in a bundle's config.json. */
export interface ModelConfig {
  model: ModelName;
  vocabSize: number;
  embeddingDim: number;
  hiddenDim: number;
  outputDim: number;
  nLayers: number;
  bidirectional: boolean;
  dropout: number;
  padIdx: number;
  nFilters: number;
  filterSizes: number[];
  /** nbsvm: the longest n-gram (vocabSize is then the number of n-gram features). */
  ngrams?: number;
}

/** The tutorials' hyperparameters for each model. */
export function defaultConfig(model: ModelName, vocabSize: number, padIdx: number): ModelConfig {
  const base = { model, vocabSize, outputDim: 1, padIdx, nLayers: 2, bidirectional: true, dropout: 0.5, nFilters: 100, filterSizes: [3, 4, 5] };
  if (model === 'rnn') return { ...base, embeddingDim: 100, hiddenDim: 256, nLayers: 1, bidirectional: false, dropout: 0 };
  if (model === 'nbsvm') return { ...base, embeddingDim: 1, hiddenDim: 1, nLayers: 1, bidirectional: false, dropout: 0, ngrams: NBSVM_DEFAULTS.ngrams };
  return { ...base, embeddingDim: 100, hiddenDim: 256 };
}

export type SentimentModel = RNNClassifier | LSTMClassifier | FastText | CNN | NBSVM;

export function createModel(config: ModelConfig): SentimentModel {
  const c = checkObject('config', config) as unknown as ModelConfig;
  checkOneOf('config.model', c.model, MODEL_NAMES);
  const v = checkInteger('config.vocabSize', c.vocabSize, 1);
  const e = checkInteger('config.embeddingDim', c.embeddingDim, 1);
  const o = checkInteger('config.outputDim', c.outputDim, 1);
  switch (c.model) {
    case 'rnn':
      return new RNNClassifier(v, e, checkInteger('config.hiddenDim', c.hiddenDim, 1), o);
    case 'lstm':
      return new LSTMClassifier(v, e, checkInteger('config.hiddenDim', c.hiddenDim, 1), o, checkInteger('config.nLayers', c.nLayers, 1), checkBoolean('config.bidirectional', c.bidirectional), checkNumber('config.dropout', c.dropout, { min: 0, max: 1 }), checkInteger('config.padIdx', c.padIdx, 0, v - 1));
    case 'fasttext':
      return new FastText(v, e, o, checkInteger('config.padIdx', c.padIdx, 0, v - 1));
    case 'nbsvm':
      checkInteger('config.ngrams', c.ngrams, 1, 8);
      return new NBSVM(v, { embeddingDim: e });
    case 'cnn':
      if (!Array.isArray(c.filterSizes) || !c.filterSizes.length) throw invalid('config.filterSizes', 'a non-empty array of integers', c.filterSizes);
      return new CNN(v, e, checkInteger('config.nFilters', c.nFilters, 1), c.filterSizes.map((f, i) => checkInteger(`config.filterSizes[${i}]`, f, 1)), o, checkNumber('config.dropout', c.dropout, { min: 0, max: 1 }), checkInteger('config.padIdx', c.padIdx, 0, v - 1));
  }
}

/** Whether the model's forward takes the text lengths (packed sequences). */
export function needsLengths(model: ModelName): boolean {
  return model === 'lstm';
}

export { NBSVM, NBSVM_DEFAULTS, trainNbsvm, interpolate, accuracyOf, evaluateBags, bagsOf, saveFeatures, loadFeatures } from './nbsvm';
export type { NbsvmSettings, NbsvmTrainOptions, FeatureBags } from './nbsvm';
export { NgramFeatures, ngramKeys } from './ngrams';
export type { NgramFitOptions } from './ngrams';
