// OpenBLAS kernel selection, settled before libtorch (and the OpenBLAS it links) is loaded.
//
// OpenBLAS picks its kernels at load time from the CPU's family and model numbers. Up to 0.3.24 it
// fell back to "Prescott" (SSE3 kernels from 2004) on Intel models it did not list, whatever the CPU
// could do (OpenBLAS issue #4267, fixed in 0.3.25 by PR #4268). Debian 12 ships 0.3.21: on this
// project's CI host (an AVX-512 Xeon that reports only "Intel(R) Xeon(R) Processor") it chose
// Prescott, and a 64x256 @ 256x256 sgemm took ~270 µs instead of ~90 µs with the SkylakeX kernels.
// Its documented override is the OPENBLAS_CORETYPE environment variable, read once when the library
// loads. So before loading the addon, when the user has not set it, we set it from the CPU's feature
// flags on Intel x86-64 Linux, to the kernels OpenBLAS itself picks on CPUs it recognises with those
// features. A value the user sets (any value, even empty) is left alone. It cannot work where
// process.env is a copy (Jest gives each test file one: this repo's jest globalSetup sets it in the
// real environment instead) or where OpenBLAS was loaded before torch-sentiment; lib/native.ts then
// warns (TORCH_SENTIMENT_OPENBLAS_PRESCOTT), and addonInfo.blas.core always tells what runs.

import * as fs from 'fs';

/**
 * The start of /proc/cpuinfo on x86-64 Linux (the first processor's block, which has vendor_id and
 * flags), or null elsewhere or when it cannot be read. One read of up to 16 KB: the kernel generates
 * the file processor by processor and hands out whole blocks, at least the first; the whole file costs
 * milliseconds on machines with many cores, at every require.
 */
export function readCpuinfo(): string | null {
  if (process.platform !== 'linux' || process.arch !== 'x64') return null;
  let fd: number | undefined;
  try {
    fd = fs.openSync('/proc/cpuinfo', 'r');
    const buf = Buffer.alloc(16384);
    return buf.toString('utf8', 0, fs.readSync(fd, buf, 0, buf.length, null));
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * The CPU flags (as /proc/cpuinfo names them) each OpenBLAS x86-64 kernel family needs: without them
 * its code stops with SIGILL. Strongest first. CI's .ci/kernels runs every family this table allows.
 */
export const KERNEL_FLAGS = {
  SkylakeX: ['avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl'],
  Haswell: ['avx2', 'fma'],
  Prescott: ['pni'],
} as const;
export type KernelFamily = keyof typeof KERNEL_FLAGS;

/** The flags of a Linux /proc/cpuinfo text (its first processor's), or null without a flags line. */
export function cpuFlags(cpuinfo: string): Set<string> | null {
  const line = /^flags\s*:(.*)$/m.exec(cpuinfo)?.[1];
  return line === undefined ? null : new Set(line.trim().split(/\s+/));
}

/** The first flag of KERNEL_FLAGS[family] that `flags` lacks, or null when the CPU can run it. */
export function missingKernelFlag(flags: Set<string>, family: KernelFamily): string | null {
  return KERNEL_FLAGS[family].find((f) => !flags.has(f)) ?? null;
}

/** The OpenBLAS core type for a Linux /proc/cpuinfo text, or null to leave OpenBLAS's own choice. */
export function openblasCoretypeFor(cpuinfo: string): string | null {
  const vendor = /^vendor_id\s*:\s*(\S+)/m.exec(cpuinfo)?.[1];
  const flags = cpuFlags(cpuinfo);
  // Only Intel's detection is known to have had this fallback (#4267); other vendors keep OpenBLAS's choice.
  // On AMD Zen 4 (AVX-512) OpenBLAS 0.3.21 runs its Haswell kernels; whether SkylakeX's are faster there
  // is not measured yet (no such host so far): `npm run bench:openblas` on one decides, and the faster
  // setting belongs here.
  if (vendor !== 'GenuineIntel' || flags === null) return null;
  if (missingKernelFlag(flags, 'SkylakeX') === null) return 'SkylakeX';
  if (missingKernelFlag(flags, 'Haswell') === null) return 'Haswell';
  return null;
}

export interface OpenblasCoretypeChoice {
  /** OPENBLAS_CORETYPE as OpenBLAS will see it (undefined: unset, OpenBLAS detects). */
  value: string | undefined;
  /** 'user' when it was set before torch-sentiment loaded, 'torch-sentiment' when we set it. */
  setBy: 'user' | 'torch-sentiment' | null;
}

/**
 * Sets OPENBLAS_CORETYPE in `env` (process.env: Node passes it on to the C environment, so OpenBLAS
 * sees it when libtorch loads, and so do child processes) unless it is already set.
 */
export function chooseOpenblasCoretype(env: NodeJS.ProcessEnv, read: () => string | null = readCpuinfo): OpenblasCoretypeChoice {
  if (env.OPENBLAS_CORETYPE !== undefined) return { value: env.OPENBLAS_CORETYPE, setBy: 'user' };
  const cpuinfo = read();
  const core = cpuinfo === null ? null : openblasCoretypeFor(cpuinfo);
  if (core === null) return { value: undefined, setBy: null };
  env.OPENBLAS_CORETYPE = core;
  return { value: core, setBy: 'torch-sentiment' };
}
