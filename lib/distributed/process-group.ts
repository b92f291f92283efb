// The default process group, as torch.distributed's: initProcessGroup, the rank and world size, and the
// collectives, on libtorch's c10d (TCPStore rendezvous, ProcessGroupGloo). A Python process running
// torch.distributed with the same init method joins the same group (see docs/distributed.md).
import { native } from '../native';
import type { Tensor } from '../tensor';
import { checkInteger, checkKeys, checkObject, checkOneOf, checkString, checkTensor, optional } from '../validate';
import { DistributedError, wrapError } from './errors';

export type Backend = 'gloo' | 'nccl';
export type ReduceOp = 'sum' | 'product' | 'min' | 'max';

export interface InitOptions {
  /** 'gloo' (CPU; the only backend of this build) or 'nccl' (refused here with ERR_DIST_UNAVAILABLE). */
  backend?: Backend;
  /** 'env://' (default: MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE as torchrun sets them) or 'tcp://host:port'. */
  initMethod?: string;
  /** This process's rank; default: RANK from the environment. */
  rank?: number;
  /** Number of processes; default: WORLD_SIZE from the environment. */
  worldSize?: number;
  /** Bound on the rendezvous and on every collective, in ms; default 30 minutes (PyTorch's). */
  timeoutMs?: number;
}

/** Whether this build can run process groups, and if not, why. */
export interface Availability {
  available: boolean;
  backends: Backend[];
  reason?: string;
}

export const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;

interface GroupInfo {
  rank: number;
  worldSize: number;
  backend: Backend;
  timeoutMs: number;
}

export function availability(): Availability {
  return native.distAvailable() as Availability;
}

/** True when this build has c10d with Gloo. */
export function isAvailable(): boolean {
  return availability().available;
}

function envInt(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') throw new DistributedError('ERR_DIST_CONFIG', `env:// needs ${name} in the environment (torch-sentiment launch and torchrun set it)`);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new DistributedError('ERR_DIST_CONFIG', `${name} must be an integer in [${min}, ${max}], got '${raw}'`);
  return n;
}

/** Where to meet, who we are: from the options, then the environment, as torch.distributed's rendezvous. */
export function resolveInit(options: InitOptions, env: NodeJS.ProcessEnv = process.env): { host: string; port: number; rank: number; worldSize: number; timeoutMs: number; backend: Backend } {
  const o = checkObject('options', options);
  checkKeys('initProcessGroup', o, ['backend', 'initMethod', 'rank', 'worldSize', 'timeoutMs']);
  const backend = optional(o.backend, 'gloo', (v) => checkOneOf('backend', v, ['gloo', 'nccl'] as const));
  const initMethod = optional(o.initMethod, 'env://', (v) => checkString('initMethod', v));
  const timeoutMs = optional(o.timeoutMs, DEFAULT_TIMEOUT_MS, (v) => checkInteger('timeoutMs', v, 1, 2 ** 31 - 1));
  let host: string;
  let port: number;
  if (initMethod === 'env://') {
    host = env.MASTER_ADDR ?? '';
    if (!host) throw new DistributedError('ERR_DIST_CONFIG', 'env:// needs MASTER_ADDR in the environment (torch-sentiment launch and torchrun set it)');
    port = envInt(env, 'MASTER_PORT', 1, 65535);
  } else {
    const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(initMethod);
    if (!m) throw new DistributedError('ERR_DIST_CONFIG', `initMethod must be 'env://' or 'tcp://host:port', got '${initMethod}'`);
    host = m[1].replace(/^\[|\]$/g, '');
    port = Number(m[2]);
    if (port < 1 || port > 65535) throw new DistributedError('ERR_DIST_CONFIG', `the port in '${initMethod}' must be in [1, 65535]`);
  }
  const worldSize = o.worldSize !== undefined ? checkInteger('worldSize', o.worldSize, 1, 65536) : envInt(env, 'WORLD_SIZE', 1, 65536);
  const rank = o.rank !== undefined ? checkInteger('rank', o.rank, 0, 65535) : envInt(env, 'RANK', 0, 65535);
  if (rank >= worldSize) throw new DistributedError('ERR_DIST_CONFIG', `rank ${rank} is not below worldSize ${worldSize}`);
  return { host, port, rank, worldSize, timeoutMs, backend };
}

/**
 * Joins the default process group (torch.distributed.init_process_group). Resolves when every rank has
 * joined; rejects with a DistributedError (ERR_DIST_TIMEOUT) when that takes longer than timeoutMs.
 */
export async function initProcessGroup(options: InitOptions = {}): Promise<void> {
  const r = resolveInit(options);
  if (r.backend === 'nccl') {
    throw new DistributedError('ERR_DIST_UNAVAILABLE', "the 'nccl' backend needs a CUDA build of libtorch with NCCL; this binding runs c10d's Gloo backend (CPU) on libtorch 1.13 (see docs/distributed.md)");
  }
  const a = availability();
  if (!a.available) throw new DistributedError('ERR_DIST_UNAVAILABLE', a.reason ?? 'c10d is not available in this build');
  // The addon refuses a second init, also while the first is still meeting its peers (ERR_DIST_ALREADY_INITIALIZED).
  try {
    await native.distInit(r.host, r.port, r.rank, r.worldSize, r.timeoutMs);
  } catch (err) {
    throw wrapError(err, `initProcessGroup(rank ${r.rank} of ${r.worldSize}, ${r.host}:${r.port})`);
  }
}

function info(): GroupInfo | null {
  return native.distInfo() as GroupInfo | null;
}

function group(): GroupInfo {
  const g = info();
  if (!g) throw new DistributedError('ERR_DIST_NOT_INITIALIZED', 'the default process group is not initialized: call initProcessGroup() first');
  return g;
}

export function isInitialized(): boolean {
  return info() !== null;
}

export function getRank(): number {
  return group().rank;
}

export function getWorldSize(): number {
  return group().worldSize;
}

export function getBackend(): Backend {
  return group().backend;
}

async function collective(name: string, run: () => Promise<void>): Promise<void> {
  group();
  let p: Promise<void>;
  try {
    p = run();
  } catch (err) {
    if (err instanceof TypeError) throw err;
    throw wrapError(err, name);
  }
  try {
    await p;
  } catch (err) {
    throw wrapError(err, name);
  }
}

/** Reduces `tensor` across all ranks, in place (torch.distributed.all_reduce). CPU, contiguous. */
export function allReduce(tensor: Tensor, op: ReduceOp = 'sum'): Promise<void> {
  const t = checkTensor('tensor', tensor);
  const o = checkOneOf('op', op, ['sum', 'product', 'min', 'max'] as const);
  return collective('allReduce', () => native.distAllReduce(t.handle, o));
}

/** Copies rank `src`'s tensor into every rank's, in place (torch.distributed.broadcast). */
export function broadcast(tensor: Tensor, src = 0): Promise<void> {
  const t = checkTensor('tensor', tensor);
  checkInteger('src', src, 0);
  return collective('broadcast', () => native.distBroadcast(t.handle, src));
}

/** Resolves when every rank has reached it. */
export function barrier(): Promise<void> {
  return collective('barrier', () => native.distBarrier());
}

/**
 * Leaves the default process group and closes its connections (torch.distributed.destroy_process_group).
 * Returns false when there was none. DistributedDataParallel wrappers keep their own reference to the
 * group until they are disposed.
 */
export function destroyProcessGroup(): boolean {
  return native.distDestroy();
}
