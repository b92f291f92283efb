/**
 * `LaunchError`: why `launch()` (and `torch-sentiment launch`) failed a job. `.code` says which kind of
 * failure it was, for programs; the message says it for people, with the failing rank's exit code or
 * signal and the last lines of its stderr. Argument errors are TypeErrors and RangeErrors naming the
 * option, as elsewhere in the package.
 */
export type LaunchErrorCode =
  /** A rank exited with a non-zero code or was killed by a signal; the others were stopped. */
  | 'ERR_LAUNCH_RANK_FAILED'
  /** A rank's process could not be started at all (spawn failed: EAGAIN, EACCES, ...). */
  | 'ERR_LAUNCH_SPAWN'
  /** The launcher received SIGINT, SIGTERM or SIGHUP, forwarded it to every rank and stopped the job. */
  | 'ERR_LAUNCH_INTERRUPTED'
  /** `options.signal` (an AbortSignal) was aborted; every rank was stopped. */
  | 'ERR_LAUNCH_ABORTED'
  /** The script does not exist. */
  | 'ERR_LAUNCH_SCRIPT_NOT_FOUND'
  /** A .ts script needs scripts/register-ts.js (a source checkout of this package) to run. */
  | 'ERR_LAUNCH_TS_UNAVAILABLE'
  /** No free port could be found for MASTER_PORT. */
  | 'ERR_LAUNCH_PORT';

/** How one rank's process ended (`exitCode` null when it was killed by `signal`). */
export interface RankExit {
  /** Global rank (RANK). */
  rank: number;
  /** Rank on this node (LOCAL_RANK). */
  localRank: number;
  /** Process id, undefined when the process could not be started. */
  pid: number | undefined;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface LaunchErrorDetails {
  /** The rank that failed first (ERR_LAUNCH_RANK_FAILED, ERR_LAUNCH_SPAWN). */
  rank?: number;
  exitCode?: number | null;
  signal?: NodeJS.Signals | null;
  /** The last lines the failing rank wrote to stderr (bounded). */
  stderrTail?: string[];
  /** How every rank ended, in rank order. */
  ranks?: RankExit[];
  cause?: unknown;
}

export class LaunchError extends Error {
  readonly code: LaunchErrorCode;
  /** The rank that failed first, when a rank failed. */
  readonly rank: number | undefined;
  /** Its exit code (null when killed by a signal). */
  readonly exitCode: number | null | undefined;
  /** The signal that killed it; for ERR_LAUNCH_INTERRUPTED, the signal the launcher received. */
  readonly signal: NodeJS.Signals | null | undefined;
  /** The last lines of the failing rank's stderr. */
  readonly stderrTail: string[];
  /** How every rank ended. */
  readonly ranks: RankExit[];

  constructor(code: LaunchErrorCode, message: string, details: LaunchErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'LaunchError';
    this.code = code;
    this.rank = details.rank;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.stderrTail = details.stderrTail ?? [];
    this.ranks = details.ranks ?? [];
  }
}
