// torch.nn for TypeScript.
export { Module, ModuleList, parameter, isParameter, countParameters } from './module';
export type { StateDict } from './module';
export { Linear } from './linear';
export { Embedding } from './embedding';
export type { EmbeddingOptions } from './embedding';
export { EmbeddingBag } from './embedding-bag';
export type { EmbeddingBagOptions, EmbeddingBagMode } from './embedding-bag';
export { RNN, LSTM, GRU, RNNBase, PackedSequence, packPaddedSequence, padPackedSequence } from './rnn';
export type { RNNOptions } from './rnn';
export { Conv1d, Conv2d } from './conv';
export type { ConvOptions } from './conv';
export { Dropout } from './dropout';
export { BCEWithLogitsLoss, CrossEntropyLoss, MSELoss } from './loss';
export type { Reduction } from './loss';
import * as functional from './functional';
import * as init from './init';
import { packPaddedSequence, padPackedSequence } from './rnn';
export { functional, init };
/** nn.utils.rnn, as in PyTorch. */
export const utils = { rnn: { packPaddedSequence, padPackedSequence } };
