import { TorchError } from '../errors';

/** Why a distributed call failed; `DistributedError.code` holds one. */
export type DistributedErrorCode =
  | 'ERR_DIST_TIMEOUT' // the rendezvous or a collective did not complete within the group's timeout
  | 'ERR_DIST_PEER' // another rank went away (closed its connections: it exited, crashed or was killed)
  | 'ERR_DIST_NOT_INITIALIZED' // a collective before initProcessGroup (or after destroyProcessGroup)
  | 'ERR_DIST_ALREADY_INITIALIZED' // initProcessGroup twice without destroyProcessGroup
  | 'ERR_DIST_UNAVAILABLE' // this build has no c10d, or the backend asked for is not in it
  | 'ERR_DIST_CONFIG' // the init method or its environment variables are missing or malformed
  | 'ERR_DIST_FAILED'; // anything else c10d reported (its message is kept)

/**
 * A failure of the process group or of DistributedDataParallel. A TorchError, so existing handlers
 * still catch it; `code` tells a timeout from a lost peer; the message is c10d's own.
 */
export class DistributedError extends TorchError {
  readonly code: DistributedErrorCode;
  constructor(code: DistributedErrorCode, message: string) {
    super(message);
    this.name = 'DistributedError';
    this.code = code;
  }
}

const CODED = /^(ERR_DIST_[A-Z_]+): /;
// Gloo's and c10d's wording for a connection that the other side closed or reset.
const PEER = /closed by peer|Connection reset|Broken pipe|ECONNRESET|EPIPE|Connection refused by peer|peer.*(closed|disconnect)|Socket Timeout.*peer|Read error|Write error/i;
const TIMEOUT = /timed out|timeout|Timed out/i;

/** A DistributedError for any error thrown by the addon's distributed calls (classified by message). */
export function wrapError(err: unknown, context?: string): DistributedError {
  if (err instanceof DistributedError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const coded = CODED.exec(message);
  const prefix = context ? `${context}: ` : '';
  if (coded) return new DistributedError(coded[1] as DistributedErrorCode, prefix + message.slice(coded[0].length));
  if (PEER.test(message)) return new DistributedError('ERR_DIST_PEER', `${prefix}a peer rank went away: ${message}`);
  if (TIMEOUT.test(message)) return new DistributedError('ERR_DIST_TIMEOUT', prefix + message);
  return new DistributedError('ERR_DIST_FAILED', prefix + message);
}
