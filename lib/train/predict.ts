// predictSentiment, as the tutorial series defines it: tokenize, numericalize, one forward, sigmoid.
import type { Vocab, TokenizerFn } from '../data';
import { DataError, Field } from '../data';
import { DeviceLike } from '../device';
import { Module } from '../nn';
import { tidy } from '../scope';
import { Tensor, noGrad } from '../tensor';
import { tensor } from '../factories';
import { checkInteger, checkObject, checkKeys, checkString, invalid } from '../validate';

/** What turns a sentence into ids: the text Field (its tokenizer, lower-casing and vocab), or both parts. */
export type TextPipeline = Field | { vocab: Vocab; tokenize: TokenizerFn; lower?: boolean };

export interface PredictOptions {
  device?: DeviceLike;
  /** Pad short inputs to this many tokens (CNN models need at least their widest filter). */
  minLength?: number;
  /** Pass the length to forward (packed models). Default: when forward declares two parameters. */
  withLengths?: boolean;
}

function parts(text: TextPipeline): { vocab: Vocab; tokenize: TokenizerFn; lower: boolean } {
  if (text instanceof Field) {
    if (!text.vocab) throw new DataError('VOCAB_NOT_BUILT', 'the text field has no vocabulary yet: call buildVocab first');
    return { vocab: text.vocab, tokenize: text.tokenizer, lower: text.lower };
  }
  if (!text || typeof text !== 'object' || !text.vocab || typeof text.tokenize !== 'function') throw invalid('text', 'a Field with a vocabulary, or {vocab, tokenize}', text);
  return { vocab: text.vocab, tokenize: text.tokenize, lower: text.lower ?? false };
}

/** Token ids of a sentence, padded to minLength with the vocabulary's <pad>. */
export function numericalize(text: TextPipeline, sentence: string, minLength = 1): Int32Array {
  const { vocab, tokenize, lower } = parts(text);
  let tokens = tokenize(sentence);
  if (lower) tokens = tokens.map((t) => t.toLowerCase());
  const ids = Array.from(vocab.lookupIndices(tokens));
  const pad = vocab.stoi.has('<pad>') ? vocab.stoi.get('<pad>') : 1;
  while (ids.length < minLength) ids.push(pad);
  return Int32Array.from(ids);
}

/**
 * The probability that `sentence` is positive according to `model` (sigmoid of its single logit).
 */
export function predictSentiment(model: Module & { forward(text: Tensor, lengths?: Tensor): Tensor }, text: TextPipeline, sentence: string, options: PredictOptions = {}): number {
  if (!(model instanceof Module)) throw invalid('model', 'a Module', model);
  checkString('sentence', sentence);
  const o = checkObject('options', options);
  checkKeys('predictSentiment', o, ['device', 'minLength', 'withLengths']);
  const minLength = o.minLength === undefined ? 1 : checkInteger('minLength', o.minLength, 1);
  const ids = numericalize(text, sentence, minLength);
  const withLengths = o.withLengths === undefined ? model.forward.length >= 2 : Boolean(o.withLengths);
  model.eval();
  return noGrad(() =>
    tidy(() => {
      const x = tensor(ids, { shape: [ids.length, 1], dtype: 'int64', device: o.device as DeviceLike | undefined });
      const out = withLengths ? model.forward(x, tensor([ids.length], { dtype: 'int64' })) : model.forward(x);
      return out.sigmoid().item() as number;
    }),
  );
}
