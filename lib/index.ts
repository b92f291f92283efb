/**
 * torch-sentiment: PyTorch-style tensors, modules, optimizers and the IMDb sentiment pipeline for
 * Node.js, over libtorch.
 */
export * from './tensor';
export { Device, device, cuda, resolveDevice, backends } from './device';
export { DTYPES } from './dtype';
export { TorchError, CheckpointError } from './errors';
export type { CheckpointErrorCode } from './errors';
export { LoadError, addonInfo } from './native';
export { tidy, keep } from './scope';
export * as nn from './nn';
export * as optim from './optim';
export { save, load } from './serialize';
export type { SaveOptions, LoadOptions, CheckpointDict, CheckpointValue, CheckpointFormat } from './serialize';
export * as data from './data';
export * as models from './models';
export * from './train';
