// Devices: 'cpu', 'cuda', 'cuda:N', as in PyTorch.
import { TorchError } from './errors';
import { native } from './native';
import { checkBoolean, checkKeys, checkObject, invalid } from './validate';

export class Device {
  constructor(
    readonly type: 'cpu' | 'cuda',
    readonly index: number | null = null,
  ) {}
  toString(): string {
    return this.index === null ? this.type : `${this.type}:${this.index}`;
  }
}

/** A device, or its name: 'cpu', 'cuda', 'cuda:1'. */
export type DeviceLike = Device | string;

/** `device('cuda:1')`: parses and checks a device name, as `torch.device` does. */
export function device(spec: DeviceLike): Device {
  if (spec instanceof Device) return spec;
  const m = typeof spec === 'string' ? /^(cpu|cuda)(?::(\d+))?$/.exec(spec) : null;
  if (!m) throw invalid('device', "'cpu', 'cuda' or 'cuda:N'", spec);
  return new Device(m[1] as 'cpu' | 'cuda', m[2] === undefined ? null : Number(m[2]));
}

let cudaAvailable: boolean | undefined;

export const cuda = {
  /** True when this build of libtorch has CUDA and a GPU is present. */
  isAvailable(): boolean {
    if (cudaAvailable === undefined) cudaAvailable = native.cudaIsAvailable();
    return cudaAvailable;
  },
  deviceCount(): number {
    return cuda.isAvailable() ? native.cudaDeviceCount() : 0;
  },
  /** Waits for all queued GPU work (for timing). A no-op without CUDA. */
  synchronize(): void {
    if (cuda.isAvailable()) native.cudaSynchronize();
  },
};

/** Normalises a device argument to libtorch's name, refusing CUDA devices that are not there. */
export function deviceName(name: string, spec: DeviceLike): string {
  let d: Device;
  try {
    d = device(spec);
  } catch {
    throw invalid(name, "a device ('cpu', 'cuda' or 'cuda:N')", spec);
  }
  if (d.type === 'cuda') {
    const count = cuda.deviceCount();
    if (count === 0) throw new TorchError(`CUDA is not available (libtorch without CUDA or no GPU present); cannot use device '${d}'`);
    if (d.index !== null && d.index >= count) throw new TorchError(`CUDA device ${d.index} does not exist (${count} device(s) present)`);
  }
  return d.toString();
}

/** 'auto' picks CUDA when available, else the CPU. */
export function resolveDevice(spec: DeviceLike | 'auto'): string {
  if (spec === 'auto') return cuda.isAvailable() ? 'cuda' : 'cpu';
  return deviceName('device', spec);
}

/** torch.backends: switches of the CUDA backends. */
export const backends = {
  /**
   * Whether cuDNN (convolutions, RNNs) and cuBLAS (matmul) may use TF32 on Ampere and later GPUs, as
   * torch.backends.cudnn.allow_tf32 and torch.backends.cuda.matmul.allow_tf32. PyTorch's defaults:
   * cuDNN true, cuBLAS false. Turn both off to compare CUDA results with the CPU's to float32 precision.
   */
  setAllowTF32(options: { cudnn: boolean; cublas: boolean }): void {
    const o = checkObject('options', options);
    checkKeys('setAllowTF32', o, ['cudnn', 'cublas']);
    native.setAllowTF32(checkBoolean('cudnn', o.cudnn), checkBoolean('cublas', o.cublas));
  },
  /**
   * Whether recurrent layers on the CPU run as fused kernels (default: true) or step by step through
   * libtorch's own CPU implementation: RNN (Elman, tanh or relu) on dense input, LSTM and GRU on dense
   * and packed input, float32 with biases. The fused kernels compute the same functions and gradients
   * (differences are float rounding, within the parity suite's 1e-5) with one autograd node per layer
   * and direction instead of several per time step; for packed LSTMs and GRUs this also avoids
   * libtorch's backward cost growing with the square of the sequence length (docs/benchmarks.md has
   * the figures). Turn it off to reproduce libtorch's exact rounding. The setting belongs to the
   * calling thread's environment: a worker thread has its own, starting on. Returns the previous value.
   */
  setFusedCpuRnn(on: boolean): boolean {
    return native.setFusedCpuRnn(checkBoolean('on', on));
  },
};
