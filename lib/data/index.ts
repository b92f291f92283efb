/**
 * The text pipeline of the tutorial (torchtext's legacy API, in TypeScript):
 * IMDb download and reading, tokenizers, fields, vocabulary, split and
 * BucketIterator, plus the progress bar the training loops reuse. The
 * tokenizers' engine (byte scanners, interner, spaCy rules) is lib/text/.
 */
export { IMDB, IMDB_URL, IMDB_SIZE, IMDB_SHA256 } from './imdb';
export type { ImdbExample, ImdbOptions } from './imdb';
export { Field, LabelField } from './field';
export { generateBigrams } from './bigrams';
export { Vectors, vectorsTensor } from './vectors';
export type { VectorsOptions, UnkInit } from './vectors';
export type { FieldOptions, BuildVocabOptions, PaddedIds, VocabSource } from './field';
export { Vocab, Counter, StringToIndex, compareCodePoints } from './vocab';
export type { VocabOptions } from './vocab';
export { Dataset } from './dataset';
export type { DatasetOptions, SplitOptions, Fields } from './dataset';
export { BucketIterator } from './iterator';
export type { IteratorOptions, SplitsOptions, IteratorShard } from './iterator';
export { Batch, collate } from './batch';
export type { CollatedField } from './batch';
export { getTokenizer, setTokenizerCacheLimit, spacyTokenizer } from './tokenizers';
export type { TokenizerFn, TokenizerLike, TokenizerName } from './tokenizers';
export { basicEnglishTokenize, basicEnglishTokenizeBytes } from '../text/basic-english';
export { whitespaceTokenize } from '../text/whitespace';
export { SpacyTokenizer } from '../text/spacy/tokenizer';
export { ProgressBar, formatInterval, formatSize } from './progress';
export type { ProgressBarOptions } from './progress';
export { download, cacheDir, sha256File, DownloadError } from './download';
export type { DownloadOptions, DownloadErrorCode } from './download';
export { readArchiveFiles, ArchiveError } from './archive';
export { DataError } from './errors';
export type { DataErrorCode } from './errors';
export { RandomGenerator } from './random';
