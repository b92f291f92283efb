// Malformed PackedSequences (issue 12): a 0, a growing size or a wrong sum in batchSizes, a wrong dtype
// or device, indices that are not a permutation or not each other's inverse are refused when the
// sequence is made, with errors naming the field. The checks run in a child process, so if one slipped
// through to libtorch's kernels (heap corruption, an abort) it is counted as a crash, not the end of Jest.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { report } from './helpers/family';

const root = path.resolve(__dirname, '..', '..');

test('malformed PackedSequences are refused at construction; libtorch never sees them', () => {
  const r = spawnSync(process.execPath, ['-r', path.join(root, 'scripts', 'register-ts.js'), path.join(__dirname, 'helpers', 'packed-cases.ts')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 110_000,
  });
  const lines = (r.stdout ?? '').trim().split('\n').filter((l) => l.startsWith('{'));
  const results = lines.map((l) => JSON.parse(l) as { label: string; ok: boolean; message: string; leaked: number });
  const crashes = r.status === 0 ? 0 : 1;
  const counts = { attempts: results.length + crashes, handled: results.filter((x) => x.ok).length, crashes, leaks: results.reduce((n, x) => n + x.leaked, 0) };
  report('PackedSequence construction', counts);
  if (crashes) throw new Error(`the child ended with status ${r.status} signal ${r.signal} after ${results.length} cases:\n${r.stderr}`);
  expect(results.filter((x) => !x.ok)).toEqual([]);
  expect(counts.leaks).toBe(0);
  expect(counts.attempts).toBeGreaterThanOrEqual(20);
});
