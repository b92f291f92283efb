// The only file that touches the addon: finds libtorch, picks the binary built for it, loads it, and
// declares its typed surface. Everything else imports `native` from here.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TorchError } from './errors';
import { FIXES, LibtorchFound, LibtorchInfo, findLibtorch } from './libtorch';
import { OpenblasCoretypeChoice, chooseOpenblasCoretype } from './openblas';
import { findPrebuild } from './prebuilds';

/** An opaque native tensor handle: a BigInt naming a slot (and its generation) in the addon's table. */
export type Handle = bigint & { readonly __brand: 'TensorHandle' };
/** An opaque native optimizer handle. */
export type OptimizerHandle = { readonly __brand: 'OptimizerHandle' };
/** An opaque native DistributedDataParallel (c10d Reducer) handle. */
export type DdpHandle = { readonly __brand: 'DdpHandle' };
type H = Handle;
type Num = number | boolean;

export interface Binding {
  // addon.cc
  setErrorClass(cls: typeof TorchError): void;
  liveTensors(): number;
  // tensor.cc
  fromTypedArray(data: ArrayBufferView, shape: number[], dtype: number, device?: string): H;
  factory(kind: string, shape: number[], dtype: number, device?: string, a?: number, b?: number): H;
  arange(start: number, end: number, step: number, dtype: number, device?: string): H;
  meta(h: H): [number, string, boolean, ...number[]];
  shape(h: H): number[];
  toTypedArray(h: H): Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Int16Array;
  item(h: H): number | boolean;
  dispose(h: H): boolean;
  isDisposed(h: H): boolean;
  to(h: H, dtype: number | undefined, device: string | undefined, copy: boolean): H;
  clone(h: H): H;
  contiguous(h: H): H;
  isContiguous(h: H): boolean;
  toString(h: H): string;
  // ops.cc
  add(a: H, b: H | Num): H;
  sub(a: H, b: H | Num): H;
  mul(a: H, b: H | Num): H;
  div(a: H, b: H | Num): H;
  pow(a: H, b: H | Num): H;
  remainder(a: H, b: H | Num): H;
  maximum(a: H, b: H | Num): H;
  minimum(a: H, b: H | Num): H;
  eq(a: H, b: H | Num): H;
  ne(a: H, b: H | Num): H;
  lt(a: H, b: H | Num): H;
  le(a: H, b: H | Num): H;
  gt(a: H, b: H | Num): H;
  ge(a: H, b: H | Num): H;
  logicalAnd(a: H, b: H | Num): H;
  logicalOr(a: H, b: H | Num): H;
  neg(h: H): H;
  abs(h: H): H;
  exp(h: H): H;
  log(h: H): H;
  sqrt(h: H): H;
  sigmoid(h: H): H;
  tanh(h: H): H;
  relu(h: H): H;
  round(h: H): H;
  floor(h: H): H;
  ceil(h: H): H;
  sign(h: H): H;
  logicalNot(h: H): H;
  isnan(h: H): H;
  reciprocal(h: H): H;
  t(h: H): H;
  matmul(a: H, b: H): H;
  clamp(h: H, min?: number, max?: number): H;
  reduce(kind: string, h: H, dims: number[] | undefined, keepdim: boolean): H;
  maxDim(h: H, dim: number, keepdim: boolean, isMin: boolean): [H, H];
  sort(h: H, dim: number, descending: boolean, stable: boolean): [H, H];
  view(h: H, shape: number[]): H;
  reshape(h: H, shape: number[]): H;
  permute(h: H, dims: number[]): H;
  expand(h: H, shape: number[]): H;
  transpose(h: H, d0: number, d1: number): H;
  squeeze(h: H, dim?: number): H;
  unsqueeze(h: H, dim: number): H;
  flatten(h: H, start: number, end: number): H;
  cat(hs: H[], dim: number): H;
  stack(hs: H[], dim: number): H;
  narrow(h: H, dim: number, start: number, length: number): H;
  indexSelect(h: H, dim: number, index: H): H;
  gather(h: H, dim: number, index: H): H;
  maskedSelect(h: H, mask: H): H;
  maskedFill(h: H, mask: H, value: Num): H;
  where(c: H, a: H, b: H): H;
  index(h: H, specs: unknown[]): H;
  indexPut_(h: H, specs: unknown[], value: H | Num): void;
  inPlace(kind: string, h: H, a?: H | Num, b?: Num): void;
  // autograd.cc
  setRequiresGrad(h: H, value: boolean): void;
  backward(h: H, gradient: H | undefined, retainGraph: boolean): void;
  grad(h: H): H | null;
  zeroGrad(hs: H[], setToNone: boolean): void;
  detach(h: H): H;
  setData(h: H, data: H): void;
  isLeaf(h: H): boolean;
  setGradEnabled(enabled: boolean): boolean;
  isGradEnabled(): boolean;
  // nn.cc
  embedding(weight: H, input: H, paddingIdx: number): H;
  linear(input: H, weight: H, bias?: H): H;
  embeddingBag(weight: H, input: H, offsets: H, mode: number, perSampleWeights: H | undefined, includeLastOffset: boolean, paddingIdx: number): H;
  rnn(mode: string, input: H, hx: H[], params: H[], bias: boolean, layers: number, dropout: number, train: boolean, bidirectional: boolean, batchFirst: boolean): H[];
  rnnPacked(mode: string, data: H, batchSizes: H, hx: H[], params: H[], bias: boolean, layers: number, dropout: number, train: boolean, bidirectional: boolean): H[];
  packPadded(input: H, lengths: H, batchFirst: boolean): [H, H];
  padPacked(data: H, batchSizes: H, batchFirst: boolean, paddingValue: number, totalLength: number): [H, H];
  dropout(input: H, p: number, train: boolean): H;
  conv(input: H, weight: H, bias: H | undefined, stride: number[], padding: number[], dilation: number[], groups: number): H;
  pool(kind: string, input: H, kernel: number[], stride: number[], padding: number[], ceilMode: boolean): H;
  softmax(input: H, dim: number, log: boolean): H;
  bceWithLogits(input: H, target: H, weight: H | undefined, posWeight: H | undefined, reduction: number): H;
  crossEntropy(input: H, target: H, weight: H | undefined, reduction: number, ignoreIndex: number, labelSmoothing: number): H;
  mseLoss(input: H, target: H, reduction: number): H;
  setFusedCpuRnn(on: boolean): boolean;
  flattenRnnWeights(params: H[], weightsPerLayer: number, inputSize: number, mode: string, hiddenSize: number, numLayers: number, batchFirst: boolean, bidirectional: boolean): boolean;
  // optim.cc
  optimizer(kind: 'sgd' | 'adam', params: H[], options: Record<string, number | boolean>): OptimizerHandle;
  optimizerStep(o: OptimizerHandle): void;
  optimizerSetOptions(o: OptimizerHandle, options: Record<string, number | boolean>): void;
  optimizerDispose(o: OptimizerHandle): void;
  // distributed.cc
  distAvailable(): { available: boolean; backends: string[]; reason?: string };
  distInit(host: string, port: number, rank: number, worldSize: number, timeoutMs: number): Promise<void>;
  distDestroy(): boolean;
  distInfo(): { rank: number; worldSize: number; backend: 'gloo'; timeoutMs: number } | null;
  distAllReduce(h: H, op: string): Promise<void>;
  distBroadcast(h: H, src: number): Promise<void>;
  distBarrier(): Promise<void>;
  ddpCreate(params: H[], names: string[], options: { bucketCapMB: number; gradientAsBucketView: boolean; findUnusedParameters: boolean; moduleName: string }): DdpHandle;
  ddpPreForward(d: DdpHandle): boolean;
  ddpPostForward(d: DdpHandle, outputs: H[]): void;
  ddpRelease(d: DdpHandle): void;
  // checkpoint.cc: specs are [byteOffset, byteLength, dtype, storageOffset, ndim, ...sizes, ...strides]
  tensorsFromBytes(data: Uint8Array, specs: number[][]): H[];
  tensorsToBytes(tensors: H[]): Buffer[];
  // cuda.cc
  cudaIsAvailable(): boolean;
  cudaDeviceCount(): number;
  cudaSynchronize(): void;
  setAllowTF32(cudnn: boolean, cublas: boolean): boolean;
  // runtime.cc
  manualSeed(seed: number): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  buildInfo(): { libtorch: string; cudaAvailable: boolean };
  blasInfo(): { core: string | null; config: string | null };
  setMallocThresholds(mmapBytes: number, trimBytes: number): boolean;
  setFlushDenormal(on: boolean): boolean;
  setBlasThreads(threads: number): boolean;
}

// The package root (above lib/ in a clone, above dist/ when installed): prebuilds/ and build/ are there.
const ROOT = path.resolve(__dirname, '..');

/** Thrown when the addon cannot be loaded; the message lists what was found and how to fix it. */
export class LoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoadError';
  }
}

function loadError(lines: string[]): LoadError {
  return new LoadError(['torch-sentiment could not load its native addon.', ...lines, '', 'Fixes:', ...FIXES.map((f) => '  ' + f)].join('\n'));
}

/** What the prebuilds folder holds and which libtorch each needs, for the error messages. */
function describePrebuilds(files: string[]): string {
  const where = `prebuilds/${process.platform}-${process.arch}/`;
  if (files.length === 0) return `none in ${where}`;
  const each = files.map((f) => {
    const m = /\.libtorch-(\d+\.\d+)-(\w+)\.node$/.exec(f);
    return m ? `${path.basename(f)} (for libtorch ${m[1]}, ${m[2]})` : path.basename(f);
  });
  return `${each.join(', ')} in ${where}`;
}

// Libraries outside the dynamic loader's path (LIBTORCH, PyTorch's wheel) are loaded first with
// RTLD_GLOBAL, so the addon's DT_NEEDED entries resolve to them without LD_LIBRARY_PATH.
function preload(libs: string[]): void {
  const flags = os.constants.dlopen.RTLD_NOW | os.constants.dlopen.RTLD_GLOBAL;
  for (const lib of libs) {
    const m = { exports: {} };
    try {
      process.dlopen(m, lib, flags);
    } catch (e) {
      // Not an addon, so dlopen reports "Module did not self-register" after loading it: expected.
      if (!/self-register|did not self/i.test(String((e as Error).message))) throw e;
    }
  }
}

// RTLD_NOW: a binary built against another libtorch fails here, with the missing symbol named,
// instead of crashing at its first call.
function open(file: string): Binding {
  const m = { exports: {} as Binding };
  process.dlopen(m, file, os.constants.dlopen.RTLD_NOW);
  return m.exports;
}

// Candidates, first that loads and matches wins: TORCH_SENTIMENT_BINARY alone when set; else the local
// build (a clone's `npm run build:native`, or `npm install --build-from-source`: what was just built
// for this machine, as node-gyp-build also prefers), then the prebuild tagged for the libtorch found.
function load(): { binding: Binding; file: string; libtorch: LibtorchFound } {
  const libtorch: LibtorchInfo = findLibtorch();
  const pre = findPrebuild(ROOT, libtorch);
  if (!libtorch.ok) {
    throw loadError([`libtorch was not found (${libtorch.source}: ${libtorch.reason}).`, `Prebuilt binaries: ${describePrebuilds(pre.available)}.`]);
  }
  const override = process.env.TORCH_SENTIMENT_BINARY;
  const local = path.join(ROOT, 'build', 'Release', 'torch_sentiment.node');
  const candidates = override ? [override] : [local, pre.file].filter((f): f is string => f !== null && fs.existsSync(f));
  const found = `Found libtorch ${libtorch.version} (${libtorch.variant}) from ${libtorch.source} at ${libtorch.root}.`;
  if (candidates.length === 0) {
    throw loadError([found, `No binary for it: no prebuild tagged ${pre.tag} (${describePrebuilds(pre.available)}) and no local build in build/Release.`]);
  }
  if (!libtorch.system && libtorch.preload) preload(libtorch.preload);
  const errors: string[] = [];
  for (const file of candidates) {
    let binding: Binding;
    try {
      binding = open(file);
    } catch (e) {
      errors.push(`${path.relative(ROOT, file) || file}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    const built = binding.buildInfo().libtorch.split('.').slice(0, 2).join('.');
    if (built !== libtorch.abi) {
      errors.push(`${path.relative(ROOT, file)} was built for libtorch ${built}, but libtorch ${libtorch.version} was found`);
      continue;
    }
    binding.setErrorClass(TorchError);
    return { binding, file, libtorch };
  }
  throw loadError([found, ...errors]);
}

// Before libtorch loads: OpenBLAS reads OPENBLAS_CORETYPE once, at load (see lib/openblas.ts).
const openblasCoretype: OpenblasCoretypeChoice = chooseOpenblasCoretype(process.env);

const loaded = load();
export const native: Binding = loaded.binding;

// When we chose kernels but OpenBLAS still runs Prescott, our setting did not reach it: OpenBLAS was
// loaded before us, or process.env here is a sandbox's copy (Jest test files). Say so once.
const blas = loaded.binding.blasInfo();
if (openblasCoretype.setBy === 'torch-sentiment' && blas.core === 'Prescott' && openblasCoretype.value !== 'Prescott') {
  process.emitWarning(
    `OpenBLAS runs its SSE3 "Prescott" kernels although this CPU has ${openblasCoretype.value}-class ones (matrix products ~3x slower): ` +
      `the OPENBLAS_CORETYPE=${openblasCoretype.value} that torch-sentiment set did not reach it (OpenBLAS was loaded earlier, or process.env is a sandbox's copy, as in Jest). ` +
      `Set OPENBLAS_CORETYPE=${openblasCoretype.value} in the environment before Node starts.`,
    { code: 'TORCH_SENTIMENT_OPENBLAS_PRESCOTT' },
  );
}
/** Where the addon came from and which libtorch it runs on. */
export const addonInfo = {
  file: loaded.file,
  libtorchVersion: loaded.libtorch.version,
  libtorchSource: loaded.libtorch.source as string,
  variant: loaded.libtorch.variant,
  /**
   * The BLAS libtorch uses, when it is OpenBLAS: the kernels in use (`core`, e.g. "SkylakeX"; "Prescott"
   * means OpenBLAS's SSE3 fallback), its build (`config`), and OPENBLAS_CORETYPE as set before loading
   * and by whom. Nulls when the BLAS is not OpenBLAS.
   */
  blas: { core: blas.core, config: blas.config, coretype: openblasCoretype },
};
