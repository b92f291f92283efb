// One batch of texts through a bundle's model, as the worker threads run it: tokenize (bounded caches),
// sort by length, pad into one [len, batch] tensor, one forward, sigmoid, results back in input order.
// Padding must not change a text's score, so each model runs the forward that ignores the padding:
// RNN and LSTM read packed sequences, FastText averages over each text's own length, CNN drops the
// windows that reach into the padding. A batched score then equals `loadBundle(dir).predict(text)`.
import { cat, loadBundle, nn, noGrad, tensor, tidy } from '../index';
import type { DeviceLike, LoadedBundle, Tensor } from '../index';
import { BoundedTokenizer } from './tokenize';
import type { Tokenized } from './tokenize';

export interface EngineOptions {
  device?: DeviceLike;
  /** See BoundedTokenizer. */
  maxCachedTokens?: number;
}

export interface Contribution {
  token: string;
  /** This token's share of the logit: positive pushes towards labels[1]. */
  weight: number;
}

export interface BatchOutput {
  /** Probability of labels[1] for each text, in input order. */
  probabilities: Float64Array;
  /** Per-token contributions where asked for and cheap (FastText); null elsewhere. */
  contributions: Array<Contribution[] | null>;
}

type Model = LoadedBundle['model'];

/** Longest / shortest text of one padded forward pass (the models other than the seed RNN). */
const MAX_PADDING = 1.25;
/** Shortest time segment of the seed RNN's batched forward, in steps (see rnnSegments). */
const MIN_SEGMENT = 16;

type RnnModel = { embedding: nn.Embedding; rnn: nn.RNN; fc: nn.Linear };

export class BatchEngine {
  readonly bundle: LoadedBundle;
  readonly tokenizer: BoundedTokenizer;
  private readonly minLength: number;
  private readonly padIdx: number;
  private readonly device: DeviceLike | undefined;

  constructor(bundleDir: string, options: EngineOptions = {}) {
    this.device = options.device;
    this.bundle = loadBundle(bundleDir, { device: options.device });
    const c = this.bundle.config;
    this.bundle.model.eval();
    this.tokenizer = new BoundedTokenizer(c.tokenizer, this.bundle.vocab, {
      lower: c.lower,
      maxCachedTokens: options.maxCachedTokens,
      ...(c.preprocessing === undefined ? {} : { preprocessing: c.preprocessing }),
    });
    this.minLength = c.model.model === 'cnn' ? Math.max(...c.model.filterSizes) : 1;
    this.padIdx = c.model.padIdx;
  }

  get explains(): boolean {
    return this.bundle.config.model.model === 'fasttext';
  }

  run(texts: string[], explain: boolean[] = []): BatchOutput {
    const n = texts.length;
    const toks = texts.map((t) => this.tokenizer.tokenize(t));
    const lengths = toks.map((t) => Math.max(t.ids.length, this.minLength));
    const model = this.bundle.config.model.model;
    if (model === 'fasttext') return this.fastText(toks, lengths, explain);
    // Longest first (packed sequences need it).
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
    const probabilities = new Float64Array(n);
    // The seed RNN runs the whole batch at once, in time segments (see rnnSegments); the others are split
    // where lengths differ by more than MAX_PADDING: a padded step costs as much as a real one, and
    // review lengths vary tenfold.
    const groupPadding = model === 'rnn' ? Infinity : MAX_PADDING;
    for (let from = 0; from < n; ) {
      let to = from + 1;
      while (to < n && lengths[order[to]] * groupPadding >= lengths[order[from]]) to++;
      const group = order.slice(from, to);
      const p = this.padded(group.map((i) => toks[i].ids), group.map((i) => lengths[i]));
      group.forEach((i, j) => (probabilities[i] = p[j]));
      from = to;
    }
    return { probabilities, contributions: new Array(n).fill(null) };
  }

  /** Probabilities of texts sorted longest first, padded into one [maxLen, batch] tensor. */
  private padded(ids: Int32Array[], lengths: number[]): Float32Array {
    const n = ids.length;
    const maxLen = lengths[0];
    const flat = new Int32Array(maxLen * n).fill(this.padIdx);
    for (let j = 0; j < n; j++) for (let t = 0; t < ids[j].length; t++) flat[t * n + j] = ids[j][t];
    return noGrad(() =>
      tidy(() => {
        const x = tensor(flat, { shape: [maxLen, n], dtype: 'int64', device: this.device });
        return this.forward(this.bundle.model, x, Int32Array.from(lengths), maxLen).sigmoid().cpu().toTypedArray() as Float32Array;
      }),
    );
  }

  /**
   * FastText without padding: logit = fc(mean of the embeddings) = sum over tokens of (embedding . w) / len
   * + b, so one product over the batch's tokens laid end to end gives every text's logit and, for free,
   * each token's share. Review lengths vary tenfold; a padded batch would mostly multiply padding.
   */
  private fastText(toks: Tokenized[], lengths: number[], explain: boolean[]): BatchOutput {
    const ids = toks.map((t) => t.ids);
    const n = ids.length;
    const total = lengths.reduce((a, b) => a + b, 0);
    const flat = new Int32Array(total).fill(this.padIdx); // a text with no token is one <pad>, as predict pads it
    let at = 0;
    for (let j = 0; j < n; j++) {
      flat.set(ids[j], at);
      at += lengths[j];
    }
    const m = this.bundle.model as unknown as { embedding: nn.Embedding; fc: nn.Linear };
    const [scores, bias] = noGrad(() =>
      tidy(() => {
        const s = m.embedding.forward(tensor(flat, { dtype: 'int64', device: this.device })).matmul(m.fc.weight.t()).view([total]);
        return [s.cpu().toTypedArray() as Float32Array, (m.fc.bias as Tensor).item() as number] as const;
      }),
    );
    const probabilities = new Float64Array(n);
    const contributions: Array<Contribution[] | null> = new Array(n).fill(null);
    at = 0;
    for (let j = 0; j < n; j++) {
      const len = lengths[j];
      let sum = 0;
      for (let t = 0; t < len; t++) sum += scores[at + t];
      probabilities[j] = 1 / (1 + Math.exp(-(sum / len + bias)));
      if (explain[j]) {
        // Each word's own share, plus half of each bigram it starts or ends (the two shares still add up
        // to the logit minus the bias).
        const { tokens, bigramAt } = toks[j];
        const weights = tokens.map((_, t) => scores[at + t] / len);
        if (bigramAt) bigramAt.forEach((i, k) => {
          const half = scores[at + tokens.length + k] / len / 2;
          weights[i] += half;
          weights[i + 1] += half;
        });
        contributions[j] = tokens.map((token, t) => ({ token, weight: weights[t] }));
      }
      at += len;
    }
    return { probabilities, contributions };
  }

  /** Logits [batch] of the sorted, padded batch x [maxLen, batch]. */
  private forward(model: Model, x: Tensor, lengths: Int32Array, maxLen: number): Tensor {
    const n = lengths.length;
    switch (this.bundle.config.model.model) {
      case 'rnn':
        return this.rnnSegments(model as unknown as RnnModel, x, lengths);
      case 'lstm':
        return (model as Model & { forward(t: Tensor, l: Tensor): Tensor }).forward(x, tensor(lengths, { dtype: 'int64' })).view([n]);
      case 'cnn': {
        // After the ReLU every value is >= 0, so zeroing the windows that reach into the padding leaves
        // each max over the text's own windows unchanged.
        const m = model as unknown as { embedding: nn.Embedding; convs: nn.ModuleList<nn.Conv2d>; fc: nn.Linear };
        const embedded = m.embedding.forward(x.t()).unsqueeze(1);
        const pooled = [...m.convs].map((conv, k) => {
          const fs = this.bundle.config.model.filterSizes[k];
          const conved = conv.forward(embedded).relu().squeeze(3); // [batch, filters, maxLen - fs + 1]
          const windows = maxLen - fs + 1;
          const keep = new Float32Array(n * windows);
          for (let j = 0; j < n; j++) keep.fill(1, j * windows, j * windows + (lengths[j] - fs + 1));
          return conved.mul(tensor(keep, { shape: [n, 1, windows], device: this.device })).amax(2);
        });
        return m.fc.forward(cat(pooled, 1)).view([n]);
      }
      default:
        return model.forward(x).view([n]);
    }
  }

  /**
   * The seed RNN over a batch sorted longest first, in time segments: each segment is one call of the
   * dense recurrent kernel (input projection of all its steps in one product, then the steps) over the
   * texts still running at its start, from the hidden state the previous segment left. A text stops
   * costing steps at the end of the segment it ends in, so the batch needs no length groups (each would
   * pay the per-step costs again) and pads each text by less than MIN_SEGMENT steps. A step only sees
   * the steps before it, so padding after a text's end cannot change its state at its last token, which
   * is what fc reads. (libtorch's packed path does the same step by step, several times slower.)
   */
  private rnnSegments(m: RnnModel, x: Tensor, lengths: Int32Array): Tensor {
    const n = lengths.length;
    const lastStates: Tensor[] = [];
    let h: Tensor | undefined;
    for (let start = 0, active = n; active > 0; ) {
      // Segment end: the shortest running text's end, or later while that leaves a segment shorter
      // than MIN_SEGMENT (then the texts that end inside it are padded to its end).
      let end = lengths[active - 1];
      let k = active - 1;
      while (k > 0 && end - start < MIN_SEGMENT) end = lengths[--k];
      while (k > 0 && lengths[k - 1] <= end) k--;
      const steps = end - start;
      const input = m.embedding.forward(x.narrow(0, start, steps).narrow(1, 0, active));
      const [output, hn] = m.rnn.forward(input, h) as unknown as [Tensor, Tensor];
      // Texts k .. active-1 end in this segment: their state at their own last step.
      const ending = new Int32Array(active - k);
      for (let j = k; j < active; j++) ending[j - k] = (lengths[j] - 1 - start) * active + j;
      lastStates.unshift(output.reshape([steps * active, output.shape[2]]).indexSelect(0, tensor(ending, { dtype: 'int64', device: this.device })));
      h = k > 0 ? hn.narrow(1, 0, k) : undefined;
      start = end;
      active = k;
    }
    const last = lastStates.length === 1 ? lastStates[0] : cat(lastStates, 0);
    return m.fc.forward(last).view([n]);
  }

  dispose(): void {
    this.bundle.model.dispose();
  }
}
