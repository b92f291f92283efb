/**
 * `DataError`: what the text pipeline throws when the data or the order of
 * calls is wrong (as opposed to a bad argument, a TypeError or RangeError
 * naming the parameter). `.code` says which, for programs; the message says
 * it for people.
 */
export type DataErrorCode =
  /** A folder or archive lacks the aclImdb layout. */
  | 'LAYOUT'
  /** A folder given by `options.path` does not exist. */
  | 'NOT_FOUND'
  /** IMDb is not cached and `options.download` is false. */
  | 'NOT_CACHED'
  /** A Field's vocabulary is needed before `buildVocab` was called. */
  | 'VOCAB_NOT_BUILT'
  /** A sequence operation on a field that is not sequential. */
  | 'NOT_SEQUENTIAL'
  /** A Batch is used after `dispose()`. */
  | 'DISPOSED'
  /** A review in a folder is not a regular file (a FIFO, a device, a folder). */
  | 'NOT_REGULAR'
  /** A review in a folder is a symbolic link to a file outside the folder. */
  | 'OUTSIDE'
  /** A review, or all of them, is over `maxEntryBytes` / `maxTotalBytes`. */
  | 'TOO_LARGE'
  /** The same review twice (an archive with a repeated entry). */
  | 'DUPLICATE'
  /** A pretrained vectors file (or its .zip) is malformed: wrong dimension, no vectors, no such entry. */
  | 'BAD_VECTORS';

export class DataError extends Error {
  readonly code: DataErrorCode;

  constructor(code: DataErrorCode, message: string) {
    super(message);
    this.name = 'DataError';
    this.code = code;
  }
}
