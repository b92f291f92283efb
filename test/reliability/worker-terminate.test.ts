// worker.terminate() while a worker runs tensor ops (issue 12): it used to abort the whole process
// ("terminate called after throwing an instance of 'Napi::Error'", exit 134): node-addon-api rethrew
// the error of a napi call refused during termination out of the callback. A child process starts
// workers running tight loops of tensor ops (errors thrown by libtorch included) and terminates them
// at random moments, some while still loading the addon; it must exit 0.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { report } from './helpers/family';

const root = path.resolve(__dirname, '..', '..');

test('terminating workers mid-op 50 times leaves the process alive', () => {
  const rounds = 50;
  const r = spawnSync(process.execPath, ['-r', path.join(root, 'scripts', 'register-ts.js'), path.join(__dirname, 'helpers', 'worker-churn.ts'), String(rounds), '12'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 115_000,
  });
  const crashes = r.status === 0 ? 0 : 1;
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  const out = crashes ? null : (JSON.parse(line) as { rounds: number; terminated: number; busy: number; early: number; after: number });
  report('worker terminate', { attempts: rounds, handled: out?.terminated ?? 0, crashes, leaks: 0 });
  if (crashes) throw new Error(`the child process ended with status ${r.status} signal ${r.signal}:\n${(r.stderr ?? '').slice(-2000)}`);
  expect(out).toEqual({ rounds, terminated: rounds, busy: expect.any(Number), early: expect.any(Number), after: 4 });
  expect((out?.busy ?? 0) + (out?.early ?? 0)).toBe(rounds);
}, 120_000);
