// torch.distributed for Node: process groups and collectives on libtorch's c10d, DistributedDataParallel,
// a torchrun-like launcher and per-rank sharding. docs/distributed.md tells how to run it.
export {
  initProcessGroup,
  destroyProcessGroup,
  isInitialized,
  isAvailable,
  availability,
  getRank,
  getWorldSize,
  getBackend,
  allReduce,
  broadcast,
  barrier,
  DEFAULT_TIMEOUT_MS,
} from './process-group';
export type { InitOptions, Backend, ReduceOp, Availability } from './process-group';
export { DistributedDataParallel } from './ddp';
export type { DdpOptions } from './ddp';
export { DistributedError } from './errors';
export type { DistributedErrorCode } from './errors';
export { launch, findFreePort, MAX_NPROC_PER_NODE } from './launch';
export type { LaunchOptions } from './launch';
export { LaunchError } from './launch-errors';
export type { LaunchErrorCode, LaunchErrorDetails, RankExit } from './launch-errors';
export { DistributedSampler, shardIndices, shardSize } from './sampler';
export type { DistributedSamplerOptions, ShardSpec } from './sampler';
