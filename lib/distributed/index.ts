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
