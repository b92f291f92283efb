/**
 * `launch()`: a torchrun-like launcher. It starts `nprocPerNode` Node processes running one script, each
 * with the variables torchrun sets (MASTER_ADDR, MASTER_PORT, RANK, LOCAL_RANK, WORLD_SIZE,
 * LOCAL_WORLD_SIZE, GROUP_RANK, ...), so `initProcessGroup({ initMethod: 'env://' })` finds its group.
 *
 * Failure semantics (torch.distributed.elastic's, without restarts): when any rank exits with a non-zero
 * code or is killed by a signal, every other rank gets SIGTERM, then SIGKILL after `graceMs`, and the job
 * fails with a `LaunchError` naming the rank, its exit code or signal and the last lines of its stderr.
 * SIGINT, SIGTERM and SIGHUP sent to the launcher are forwarded to every rank (a second one sends
 * SIGKILL). Each rank runs in its own process group (as torchrun's `start_new_session`), so processes a
 * rank started are signalled with it, and whatever is left in those groups when the job ends (an orphan,
 * however the job ended) is killed: no survivors are left behind.
 *
 * Pure TypeScript: no native code, so the launcher works where libtorch does not load.
 */
import { spawn, type ChildProcess } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import type { Writable } from 'stream';
import { StringDecoder } from 'string_decoder';
import { LaunchError, type RankExit } from './launch-errors';
import { checkBoolean, checkInteger, checkKeys, checkNonEmptyString, checkObject, checkString, invalid, optional } from '../validate';

export { LaunchError } from './launch-errors';
export type { LaunchErrorCode, LaunchErrorDetails, RankExit } from './launch-errors';

export interface LaunchOptions {
  /** Processes to start on this node (torchrun's --nproc-per-node). */
  nprocPerNode: number;
  /** The script each process runs: .js/.cjs/.mjs, or .ts (run through scripts/register-ts.js). */
  script: string;
  /** Arguments passed to the script, the same for every rank. */
  args?: readonly string[];
  /** Nodes in the job (static rendezvous, as torchrun --nnodes N); default 1. */
  nnodes?: number;
  /** This node's index in [0, nnodes) (torchrun --node-rank); default 0. */
  nodeRank?: number;
  /** Address of rank 0's node, where the rendezvous store listens; default 127.0.0.1 (required when nnodes > 1). */
  masterAddr?: string;
  /** Port of the rendezvous store; default: a free port (required when nnodes > 1). */
  masterPort?: number;
  /** Variables added to (or, when undefined, removed from) the launcher's environment for every rank. */
  env?: Record<string, string | undefined>;
  /** Prefix each line the ranks print with `[rank N] `; default true. */
  prefixOutput?: boolean;
  /** Flags for the Node executable before the script (e.g. ['--expose-gc']); default none. */
  nodeArgs?: readonly string[];
  /** Working directory of the ranks; default the launcher's. */
  cwd?: string;
  /** Milliseconds between SIGTERM and SIGKILL when the job is stopped; default 5000. */
  graceMs?: number;
  /** Lines of each rank's stderr kept for the error message; default 20. */
  tailLines?: number;
  /** Where the ranks' stdout goes; default process.stdout. */
  stdout?: Writable;
  /** Where the ranks' stderr goes; default process.stderr. */
  stderr?: Writable;
  /** Forward SIGINT, SIGTERM and SIGHUP received by this process to the ranks; default true. */
  forwardSignals?: boolean;
  /** Aborting it stops every rank (SIGTERM, then SIGKILL) and rejects with ERR_LAUNCH_ABORTED. */
  signal?: AbortSignal;
  /** TORCHELASTIC_RUN_ID; default a random UUID. */
  runId?: string;
}

const KNOWN = ['nprocPerNode', 'script', 'args', 'nnodes', 'nodeRank', 'masterAddr', 'masterPort', 'env', 'prefixOutput',
  'nodeArgs', 'cwd', 'graceMs', 'tailLines', 'stdout', 'stderr', 'forwardSignals', 'signal', 'runId'] as const;

/** More processes than this on one node is a mistake (each rank is a whole Node process). */
export const MAX_NPROC_PER_NODE = 1024;

/** The signals the launcher forwards to its ranks. */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** After a rank exits, how long its output pipes may stay open (held by a process it started) before they are closed. */
const DRAIN_MS = 2000;

/** A line longer than this is cut in the stderr tail (the output itself passes through whole). */
const TAIL_LINE_CHARS = 1000;

/** A line without a newline longer than this is passed on as it is, instead of being held for its prefix. */
const MAX_PENDING_CHARS = 64 * 1024;

/** @internal scripts/register-ts.js, found from this file in lib/distributed (sources) or dist/distributed (build). */
export function registerTsPath(): string {
  return path.resolve(__dirname, '..', '..', 'scripts', 'register-ts.js');
}

/** A TCP port that is free now (bound to port 0, then released), as torchrun picks MASTER_PORT. */
export function findFreePort(host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (e) => reject(new LaunchError('ERR_LAUNCH_PORT', `no free port for MASTER_PORT: ${e.message}`, { cause: e })));
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** @internal The environment of one rank: the torchrun variables over the launcher's environment and `env`. */
export function rankEnv(base: NodeJS.ProcessEnv, o: {
  localRank: number; nprocPerNode: number; nnodes: number; nodeRank: number; masterAddr: string; masterPort: number; runId: string;
}): NodeJS.ProcessEnv {
  const worldSize = o.nnodes * o.nprocPerNode;
  const rank = o.nodeRank * o.nprocPerNode + o.localRank;
  const env: NodeJS.ProcessEnv = {
    ...base,
    MASTER_ADDR: o.masterAddr,
    MASTER_PORT: String(o.masterPort),
    RANK: String(rank),
    LOCAL_RANK: String(o.localRank),
    WORLD_SIZE: String(worldSize),
    LOCAL_WORLD_SIZE: String(o.nprocPerNode),
    GROUP_RANK: String(o.nodeRank),
    GROUP_WORLD_SIZE: String(o.nnodes),
    ROLE_NAME: 'default',
    ROLE_RANK: String(rank),
    ROLE_WORLD_SIZE: String(worldSize),
    TORCHELASTIC_RUN_ID: o.runId,
    TORCHELASTIC_RESTART_COUNT: '0',
    TORCHELASTIC_MAX_RESTARTS: '0',
  };
  // torchrun's default: several processes on one node, one intra-op thread each unless told otherwise
  // (N processes of all-cores thread pools would fight over the cores).
  if (o.nprocPerNode > 1 && env.OMP_NUM_THREADS === undefined) env.OMP_NUM_THREADS = '1';
  return env;
}

interface Resolved {
  nprocPerNode: number;
  script: string;
  args: string[];
  nnodes: number;
  nodeRank: number;
  masterAddr: string;
  masterPort: number | undefined;
  env: Record<string, string | undefined>;
  prefixOutput: boolean;
  nodeArgs: string[];
  cwd: string | undefined;
  graceMs: number;
  tailLines: number;
  stdout: Writable;
  stderr: Writable;
  forwardSignals: boolean;
  signal: AbortSignal | undefined;
  runId: string;
}

function stringList(name: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw invalid(name, 'an array of strings', value);
  return value.map((v, i) => checkString(`${name}[${i}]`, v));
}

function writable(name: string, value: unknown): Writable {
  if (!value || typeof (value as Writable).write !== 'function') throw invalid(name, 'a writable stream', value);
  return value as Writable;
}

function resolveOptions(options: LaunchOptions): Resolved {
  const o = checkObject('options', options);
  checkKeys('launch options', o, KNOWN);
  const nprocPerNode = checkInteger('options.nprocPerNode', o.nprocPerNode, 1, MAX_NPROC_PER_NODE);
  const script = checkNonEmptyString('options.script', o.script);
  const nnodes = optional(o.nnodes, 1, (v) => checkInteger('options.nnodes', v, 1, MAX_NPROC_PER_NODE));
  const nodeRank = optional(o.nodeRank, 0, (v) => checkInteger('options.nodeRank', v, 0, nnodes - 1));
  if (nnodes > 1 && (o.masterAddr === undefined || o.masterPort === undefined)) {
    throw new TypeError(`Expected options.masterAddr and options.masterPort with nnodes ${nnodes}: every node must name the same rendezvous (rank 0's node)`);
  }
  const env = optional(o.env, {}, (v) => {
    const e = checkObject('options.env', v);
    for (const [k, val] of Object.entries(e)) if (val !== undefined) checkString(`options.env.${k}`, val);
    return e as Record<string, string | undefined>;
  });
  const signal = optional(o.signal, undefined, (v) => {
    if (!(v instanceof AbortSignal)) throw invalid('options.signal', 'an AbortSignal', v);
    return v;
  });
  return {
    nprocPerNode,
    script,
    args: optional(o.args, [], (v) => stringList('options.args', v)),
    nnodes,
    nodeRank,
    masterAddr: optional(o.masterAddr, '127.0.0.1', (v) => checkNonEmptyString('options.masterAddr', v)),
    masterPort: optional(o.masterPort, undefined, (v) => checkInteger('options.masterPort', v, 1, 65535)),
    env,
    prefixOutput: optional(o.prefixOutput, true, (v) => checkBoolean('options.prefixOutput', v)),
    nodeArgs: optional(o.nodeArgs, [], (v) => stringList('options.nodeArgs', v)),
    cwd: optional(o.cwd, undefined, (v) => checkNonEmptyString('options.cwd', v)),
    graceMs: optional(o.graceMs, 5000, (v) => checkInteger('options.graceMs', v, 0, 2 ** 31 - 1)),
    tailLines: optional(o.tailLines, 20, (v) => checkInteger('options.tailLines', v, 0, 10000)),
    stdout: optional(o.stdout, process.stdout as Writable, (v) => writable('options.stdout', v)),
    stderr: optional(o.stderr, process.stderr as Writable, (v) => writable('options.stderr', v)),
    forwardSignals: optional(o.forwardSignals, true, (v) => checkBoolean('options.forwardSignals', v)),
    signal,
    runId: optional(o.runId, undefined, (v) => checkNonEmptyString('options.runId', v)) ?? randomUUID(),
  };
}

/** The last `max` lines of a stream (each cut to TAIL_LINE_CHARS), in bounded memory. */
class Tail {
  private readonly lines: string[] = [];
  private partial = '';
  constructor(private readonly max: number) {}

  push(text: string): void {
    if (this.max === 0) return;
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop()!;
    if (this.partial.length > TAIL_LINE_CHARS) this.partial = this.partial.slice(-TAIL_LINE_CHARS);
    for (const line of parts.slice(-this.max)) {
      this.lines.push(line.length > TAIL_LINE_CHARS ? `${line.slice(0, TAIL_LINE_CHARS)}…` : line);
    }
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }

  get value(): string[] {
    const all = this.partial ? [...this.lines, this.partial] : this.lines.slice();
    return all.slice(-this.max);
  }
}

/** Passes one stream of a rank through to `target`, each line prefixed when `prefix` is set. */
class Relay {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  constructor(private readonly target: Writable, private readonly prefix: string | null, private readonly tail: Tail | null) {}

  push(chunk: Buffer): void {
    if (this.prefix === null && this.tail === null) {
      this.target.write(chunk);
      return;
    }
    const text = this.decoder.write(chunk);
    this.tail?.push(text);
    if (this.prefix === null) {
      this.target.write(chunk);
      return;
    }
    const lines = (this.pending + text).split('\n');
    this.pending = lines.pop()!;
    if (this.pending.length > MAX_PENDING_CHARS) {
      lines.push(this.pending);
      this.pending = '';
    }
    if (lines.length) this.target.write(lines.map((l) => `${this.prefix}${l}\n`).join(''));
  }

  end(): void {
    const rest = this.decoder.end();
    this.tail?.push(rest);
    if (this.prefix === null) return;
    const last = this.pending + rest;
    this.pending = '';
    if (last) this.target.write(`${this.prefix}${last}\n`);
  }
}

interface Rank {
  rank: number;
  localRank: number;
  /** Null until spawned (or when spawn threw). */
  child: ChildProcess | null;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  exited: boolean;
  closed: boolean;
  tail: Tail;
  relays: Relay[];
  drainTimer: NodeJS.Timeout | null;
  /** When this rank failed the job: how many other ranks were still running and had to be stopped. */
  stoppedOthers: number;
}

type Failure =
  | { kind: 'rank'; rank: Rank }
  | { kind: 'spawn'; rank: Rank; error: Error }
  | { kind: 'interrupted'; signal: NodeJS.Signals }
  | { kind: 'aborted' };

/** Sends `sig` to a rank's process group (it and what it started); ESRCH (already gone) is fine. */
function signalRank(r: Rank, sig: NodeJS.Signals): void {
  const pid = r.child?.pid;
  if (pid === undefined) return;
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, sig);
  } catch {
    // The group is gone (or there are no groups here): signal the rank itself if it still runs.
    if (!r.exited) r.child!.kill(sig);
  }
}

function describeExit(exitCode: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
}

function failureMessage(f: Failure, ranks: Rank[]): string {
  if (f.kind === 'interrupted') return `launch: received ${f.signal}, forwarded it to ${ranks.length === 1 ? 'the rank' : `all ${ranks.length} ranks`} and stopped the job`;
  if (f.kind === 'aborted') return `launch: aborted; all ${ranks.length} ranks were stopped`;
  const r = f.rank;
  const tail = r.tail.value;
  const n = r.stoppedOthers;
  const others = n ? `; ${n === 1 ? 'the other running rank was' : `the ${n} other running ranks were`} stopped` : '';
  const pid = r.child?.pid;
  const where = `rank ${r.rank} (local rank ${r.localRank}${pid === undefined ? '' : `, pid ${pid}`})`;
  const head = f.kind === 'spawn'
    ? `launch: ${where} could not be started: ${f.error.message}${others}`
    : `launch: ${where} ${describeExit(r.exitCode, r.signal)}${others}`;
  return tail.length ? `${head}\nlast lines of its stderr:\n${tail.map((l) => `  ${l}`).join('\n')}` : `${head} (it wrote nothing to stderr)`;
}

/**
 * Starts the job and resolves with 0 when every rank exits with code 0; rejects with a LaunchError when
 * a rank fails, the launcher is interrupted or `options.signal` aborts, once every rank has exited.
 */
export async function launch(options: LaunchOptions): Promise<number> {
  const o = resolveOptions(options);
  const script = path.resolve(o.cwd ?? process.cwd(), o.script);
  if (!fs.existsSync(script)) throw new LaunchError('ERR_LAUNCH_SCRIPT_NOT_FOUND', `launch: script ${o.script} does not exist`);
  const nodeArgs = [...o.nodeArgs];
  if (script.endsWith('.ts')) {
    const register = registerTsPath();
    if (!fs.existsSync(register)) {
      throw new LaunchError('ERR_LAUNCH_TS_UNAVAILABLE',
        `launch: running ${o.script} needs ${register} (a source checkout of torch-sentiment, with typescript); compile the script to .js, or pass a loader in options.nodeArgs`);
    }
    nodeArgs.unshift('-r', register);
  }
  if (o.signal?.aborted) throw new LaunchError('ERR_LAUNCH_ABORTED', 'launch: aborted before the ranks started');
  const masterPort = o.masterPort ?? (await findFreePort());
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(o.env)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }

  return new Promise<number>((resolve, reject) => {
    const ranks: Rank[] = [];
    let failure: Failure | null = null;
    let killTimer: NodeJS.Timeout | null = null;
    let finished = false;

    const killAll = (): void => {
      for (const r of ranks) signalRank(r, 'SIGKILL');
    };
    // The launcher exiting (process.exit elsewhere) must not leave ranks running.
    const onProcessExit = (): void => killAll();
    const stopAll = (sig: NodeJS.Signals): void => {
      for (const r of ranks) signalRank(r, sig);
      if (!killTimer) killTimer = setTimeout(killAll, o.graceMs);
    };
    const fail = (f: Failure, sig: NodeJS.Signals = 'SIGTERM'): void => {
      if (failure) return;
      failure = f;
      if (f.kind === 'rank' || f.kind === 'spawn') f.rank.stoppedOthers = ranks.filter((r) => r !== f.rank && !r.exited).length;
      stopAll(sig);
    };
    const onSignal = (sig: NodeJS.Signals): void => {
      if (failure) {
        // A second Ctrl-C: no more grace.
        killAll();
        return;
      }
      fail({ kind: 'interrupted', signal: sig }, sig);
    };
    const onAbort = (): void => fail({ kind: 'aborted' });

    const cleanUp = (): void => {
      if (killTimer) clearTimeout(killTimer);
      process.removeListener('exit', onProcessExit);
      if (o.forwardSignals) for (const s of FORWARDED) process.removeListener(s, onSignal);
      o.signal?.removeEventListener('abort', onAbort);
    };

    const maybeDone = (): void => {
      if (finished || ranks.some((r) => !r.closed)) return;
      finished = true;
      // Every rank has exited: whatever is left in a rank's process group (a process it started and did
      // not wait for) is an orphan of the job, and goes too.
      killAll();
      cleanUp();
      if (!failure) {
        resolve(0);
        return;
      }
      const f = failure as Failure;
      const exits: RankExit[] = ranks.map((r) => ({ rank: r.rank, localRank: r.localRank, pid: r.child?.pid, exitCode: r.exitCode, signal: r.signal }));
      const message = failureMessage(f, ranks);
      if (f.kind === 'interrupted') reject(new LaunchError('ERR_LAUNCH_INTERRUPTED', message, { signal: f.signal, ranks: exits }));
      else if (f.kind === 'aborted') reject(new LaunchError('ERR_LAUNCH_ABORTED', message, { ranks: exits, cause: o.signal?.reason }));
      else {
        reject(new LaunchError(f.kind === 'spawn' ? 'ERR_LAUNCH_SPAWN' : 'ERR_LAUNCH_RANK_FAILED', message, {
          rank: f.rank.rank, exitCode: f.rank.exitCode, signal: f.rank.signal, stderrTail: f.rank.tail.value, ranks: exits,
          cause: f.kind === 'spawn' ? f.error : undefined,
        }));
      }
    };

    const markClosed = (r: Rank): void => {
      if (r.closed) return;
      r.closed = true;
      if (r.drainTimer) clearTimeout(r.drainTimer);
      for (const relay of r.relays) relay.end();
      maybeDone();
    };

    process.on('exit', onProcessExit);
    if (o.forwardSignals) for (const s of FORWARDED) process.on(s, onSignal);
    o.signal?.addEventListener('abort', onAbort, { once: true });

    for (let localRank = 0; localRank < o.nprocPerNode; localRank++) {
      const rank = o.nodeRank * o.nprocPerNode + localRank;
      const env = rankEnv(base, { localRank, nprocPerNode: o.nprocPerNode, nnodes: o.nnodes, nodeRank: o.nodeRank, masterAddr: o.masterAddr, masterPort, runId: o.runId });
      const prefix = o.prefixOutput ? `[rank ${rank}] ` : null;
      const tail = new Tail(o.tailLines);
      const r: Rank = {
        rank, localRank, child: null, exitCode: null, signal: null, exited: false, closed: false, tail,
        relays: [new Relay(o.stdout, prefix, null), new Relay(o.stderr, prefix, tail)], drainTimer: null, stoppedOthers: 0,
      };
      ranks.push(r);
      let child: ChildProcess;
      try {
        child = spawn(process.execPath, [...nodeArgs, script, ...o.args], {
          cwd: o.cwd,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
          // Its own process group, signalled as a whole; the launcher forwards terminal signals itself.
          detached: process.platform !== 'win32',
        });
      } catch (e) {
        r.exited = true;
        fail({ kind: 'spawn', rank: r, error: e as Error });
        markClosed(r);
        break;
      }
      r.child = child;
      child.stdout!.on('data', (chunk: Buffer) => r.relays[0].push(chunk));
      child.stderr!.on('data', (chunk: Buffer) => r.relays[1].push(chunk));
      child.on('error', (e) => {
        // Only spawn failures (the process has no pid; no 'exit' follows) fail the rank here.
        if (child.pid !== undefined) return;
        r.exited = true;
        fail({ kind: 'spawn', rank: r, error: e });
        markClosed(r);
      });
      child.on('exit', (code, sig) => {
        r.exited = true;
        r.exitCode = code;
        r.signal = sig;
        if (code !== 0 || sig !== null) fail({ kind: 'rank', rank: r });
        // A process the rank started may hold its pipes open: give its output a moment, then let go.
        r.drainTimer = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          markClosed(r);
        }, DRAIN_MS);
      });
      child.on('close', () => markClosed(r));
    }
  });
}
