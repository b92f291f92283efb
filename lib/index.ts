/**
 * torch-sentiment: PyTorch-style tensors, modules, optimizers and the IMDb sentiment pipeline for
 * Node.js, over libtorch.
 */
export * from './tensor';
export { Device, device, cuda, resolveDevice } from './device';
export { DTYPES } from './dtype';
export { TorchError } from './errors';
export { LoadError, addonInfo } from './native';
export { tidy, keep } from './scope';
