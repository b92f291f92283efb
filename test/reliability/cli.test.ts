// CLI usage faults (issue 12): each is one clear line on stderr, exit code 2, no stack trace, and
// quick (`--threads 100000` used to start 100,000 threads for minutes; `--batch-size -1` said
// "argument is ambiguous"). Null bundle files are in bundle.test.ts.
import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');
const cli = (...args: string[]) => spawnSync(process.execPath, ['-r', './scripts/register-ts.js', 'lib/cli/main.ts', ...args],
  { cwd: root, encoding: 'utf8', timeout: 60000, env: { ...process.env, TORCH_SENTIMENT_IMDB: '' } });

test.each([
  [['train', '--threads', '100000'], /^torch-sentiment: --threads expects an integer in \[1, \d+\], got '100000'$/],
  [['predict', '--threads', '0', 'hi'], /--threads expects an integer in \[1, \d+\], got '0'$/],
  [['train', '--batch-size', '-1'], /^torch-sentiment: --batch-size expects an integer >= 1, got '-1'$/],
  [['train', '--epochs', '-5'], /--epochs expects an integer >= 1, got '-5'$/],
  [['train', '--lr', '-0.1'], /--lr expects a positive number, got '-0.1'$/],
  [['train', '--seed', '-1'], /--seed expects an integer >= 0, got '-1'$/],
  [['train', '--batch-size', ''], /--batch-size expects an integer >= 1, got ''$/],
  [['train', '--batch-size'], /^torch-sentiment: Option '--batch-size <value>' argument missing$/],
])('%j', (args, message) => {
  const t0 = performance.now();
  const r = cli(...args);
  expect(r.status).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(performance.now() - t0).toBeLessThan(30000);
});
