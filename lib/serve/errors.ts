// The serving layer's one error class: a stable `code` a caller can switch on and the HTTP status the
// server answers with, so the library, the Fastify plugin and the Express example agree.

export type ServeErrorCode =
  | 'INVALID_TEXT' // not a string, empty, or not well-formed UTF-16
  | 'TEXT_TOO_LONG' // over maxChars
  | 'QUEUE_FULL' // more than maxQueue texts waiting: retry later
  | 'ABORTED' // the caller's AbortSignal fired before the text was predicted
  | 'CLOSED' // predictor.close() was called
  | 'WORKER_FAILED'; // the worker thread failed (bundle unreadable, worker died)

const STATUS: Record<ServeErrorCode, number> = {
  INVALID_TEXT: 400,
  TEXT_TOO_LONG: 413,
  QUEUE_FULL: 503,
  ABORTED: 499,
  CLOSED: 503,
  WORKER_FAILED: 500,
};

export class ServeError extends Error {
  readonly code: ServeErrorCode;
  /** The HTTP status the server answers this error with. */
  readonly status: number;
  constructor(code: ServeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = code === 'ABORTED' ? 'AbortError' : 'ServeError';
    this.code = code;
    this.status = STATUS[code];
  }
}

/** How a value looks in an error message: its type, and a short preview. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'string') return value.length > 40 ? `a string of length ${value.length}` : `the string ${JSON.stringify(value)}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  return `${typeof value} ${String(value)}`;
}
