/**
 * The text pipeline of the tutorial (torchtext's legacy API, in TypeScript):
 * IMDb download and reading, tokenizers, fields, vocabulary, split and
 * BucketIterator, plus the progress bar the training loops reuse.
 */
export { IMDB, IMDB_URL, IMDB_SIZE, IMDB_SHA256 } from './imdb';
export type { ImdbExample, ImdbOptions } from './imdb';
export { Field, LabelField } from './field';
export type { FieldOptions, BuildVocabOptions, PaddedIds } from './field';
export { Vocab, Counter, StringToIndex, compareCodePoints } from './vocab';
export type { VocabOptions } from './vocab';
export { Dataset } from './dataset';
export type { DatasetOptions, SplitOptions, Fields } from './dataset';
export { BucketIterator } from './iterator';
export type { IteratorOptions, SplitsOptions } from './iterator';
export { Batch, collate } from './batch';
export type { CollatedField } from './batch';
export { getTokenizer, basicEnglishTokenize, whitespaceTokenize, spacyTokenizer } from './tokenizers';
export type { TokenizerFn, TokenizerLike, TokenizerName } from './tokenizers';
export { SpacyTokenizer } from './spacy/tokenizer';
export { ProgressBar, formatInterval, formatSize } from './progress';
export type { ProgressBarOptions } from './progress';
export { download, cacheDir, sha256File, DownloadError } from './download';
export type { DownloadOptions, DownloadErrorCode } from './download';
export { extractArchive, readArchiveFiles, ArchiveError } from './archive';
export { RandomGenerator } from './random';
export { Corpus, CorpusBuilder } from './corpus';
export type { CorpusTokenizer } from './corpus';
export { TokenInterner } from './interner';
export { basicEnglishIds, basicEnglishIdsFromBytes, basicEnglishTokenizeBytes, firstLineEnd } from './tokenizers';
