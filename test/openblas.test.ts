// OpenBLAS kernel selection before libtorch loads (lib/openblas.ts): the pure choice from /proc/cpuinfo,
// and, in fresh processes, that OpenBLAS really runs what was chosen and that a user's value wins.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { chooseOpenblasCoretype, cpuFlags, missingKernelFlag, openblasCoretypeFor } from '../lib/openblas';

const root = path.resolve(__dirname, '..');
const cpu = (vendor: string, flags: string): string =>
  `processor\t: 0\nvendor_id\t: ${vendor}\ncpu family\t: 6\nmodel name\t: Intel(R) Xeon(R) Processor\nflags\t\t: ${flags}\n\nprocessor\t: 1\n`;
const AVX512 = 'fpu sse sse2 ssse3 sse4_1 sse4_2 avx fma avx2 avx512f avx512dq avx512cd avx512bw avx512vl';

describe('OpenBLAS core type', () => {
  test('from the CPU flags: AVX-512 -> SkylakeX, AVX2 + FMA -> Haswell, else OpenBLAS decides', () => {
    expect(openblasCoretypeFor(cpu('GenuineIntel', AVX512))).toBe('SkylakeX');
    expect(openblasCoretypeFor(cpu('GenuineIntel', 'fpu sse sse2 avx fma avx2 avx512f'))).toBe('Haswell'); // partial AVX-512
    expect(openblasCoretypeFor(cpu('GenuineIntel', 'fpu sse sse2 avx fma avx2'))).toBe('Haswell');
    expect(openblasCoretypeFor(cpu('GenuineIntel', 'fpu sse sse2 avx avx2'))).toBeNull(); // no FMA
    expect(openblasCoretypeFor(cpu('GenuineIntel', 'fpu sse sse2 sse3'))).toBeNull();
    expect(openblasCoretypeFor(cpu('AuthenticAMD', AVX512))).toBeNull();
    expect(openblasCoretypeFor('')).toBeNull();
    expect(openblasCoretypeFor('vendor_id : GenuineIntel\n')).toBeNull(); // no flags line
  });

  test('which kernel families a CPU can run (.ci/kernels skips the others): the first missing flag', () => {
    const zen3 = cpuFlags(cpu('AuthenticAMD', 'fpu pni sse4_2 avx fma avx2'))!;
    expect(missingKernelFlag(zen3, 'Prescott')).toBeNull();
    expect(missingKernelFlag(zen3, 'Haswell')).toBeNull();
    expect(missingKernelFlag(zen3, 'SkylakeX')).toBe('avx512f');
    expect(missingKernelFlag(cpuFlags(cpu('GenuineIntel', `pni ${AVX512}`.replace(' avx512vl', '')))!, 'SkylakeX')).toBe('avx512vl');
    expect(missingKernelFlag(cpuFlags(cpu('GenuineIntel', 'fpu sse2'))!, 'Prescott')).toBe('pni');
    expect(cpuFlags('vendor_id : GenuineIntel\n')).toBeNull();
  });

  test("a value the user set is kept, even an empty one; otherwise it is set in the given env", () => {
    const info = (): string => cpu('GenuineIntel', AVX512);
    const user: NodeJS.ProcessEnv = { OPENBLAS_CORETYPE: 'Haswell' };
    expect(chooseOpenblasCoretype(user, info)).toEqual({ value: 'Haswell', setBy: 'user' });
    expect(user.OPENBLAS_CORETYPE).toBe('Haswell');
    const empty: NodeJS.ProcessEnv = { OPENBLAS_CORETYPE: '' };
    expect(chooseOpenblasCoretype(empty, info)).toEqual({ value: '', setBy: 'user' });
    const unset: NodeJS.ProcessEnv = {};
    expect(chooseOpenblasCoretype(unset, info)).toEqual({ value: 'SkylakeX', setBy: 'torch-sentiment' });
    expect(unset.OPENBLAS_CORETYPE).toBe('SkylakeX');
    const unreadable: NodeJS.ProcessEnv = {};
    expect(chooseOpenblasCoretype(unreadable, () => null)).toEqual({ value: undefined, setBy: null });
    expect('OPENBLAS_CORETYPE' in unreadable).toBe(false);
  });

  test('in a fresh process, OpenBLAS runs the kernels chosen, and a user value wins', () => {
    let stderr = '';
    // sandboxed: process.env replaced by a copy before loading, as Jest does for test files.
    const report = (env: NodeJS.ProcessEnv, sandboxed = false): { core: string | null; coretype: { value?: string; setBy: string | null } } => {
      const code = `${sandboxed ? 'process.env = { ...process.env };' : ''} const t = require('./lib'); console.log(JSON.stringify(t.addonInfo.blas));`;
      const clean = { ...process.env };
      delete clean.OPENBLAS_CORETYPE;
      const r = spawnSync(process.execPath, ['-r', './scripts/register-ts.js', '-e', code], { cwd: root, env: { ...clean, ...env }, encoding: 'utf8' });
      expect(r.status).toBe(0);
      stderr = r.stderr;
      return JSON.parse(r.stdout);
    };
    const auto = report({});
    if (auto.core === null) {
      // libtorch's BLAS is not OpenBLAS here: nothing to choose; say so rather than pass silently.
      console.log('libtorch does not use OpenBLAS on this machine: core-type checks not applicable');
      expect(auto.coretype.setBy).not.toBe('user');
      return;
    }
    const expected = process.platform === 'linux' && process.arch === 'x64' ? openblasCoretypeFor(fs.readFileSync('/proc/cpuinfo', 'utf8')) : null;
    if (expected !== null) {
      expect(auto.coretype).toEqual({ value: expected, setBy: 'torch-sentiment' });
      expect(auto.core).toBe(expected);
      expect(stderr).not.toContain('TORCH_SENTIMENT_OPENBLAS_PRESCOTT');
      // Where the setting cannot reach OpenBLAS, the library says so (once, as a process warning).
      const sandboxed = report({}, true);
      if (sandboxed.core === 'Prescott') {
        expect(stderr).toContain('[TORCH_SENTIMENT_OPENBLAS_PRESCOTT]');
        expect(stderr).toContain(`Set OPENBLAS_CORETYPE=${expected} in the environment`);
      } else {
        expect(stderr).not.toContain('TORCH_SENTIMENT_OPENBLAS_PRESCOTT'); // OpenBLAS knows this CPU itself
      }
    } else {
      expect(auto.coretype.setBy).toBeNull();
    }
    const user = report({ OPENBLAS_CORETYPE: 'Prescott' });
    expect(user.coretype).toEqual({ value: 'Prescott', setBy: 'user' });
    expect(user.core).toBe('Prescott');
  });
});
