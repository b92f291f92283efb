// `torch-sentiment serve` as a real process on a real port: /healthz turns ready once the model is
// loaded, and SIGTERM lets the requests in flight finish before the process exits with 0.
import { spawn, spawnSync } from 'child_process';
import type { ChildProcess } from 'child_process';
import * as path from 'path';
import { tinyBundle } from './helpers/bundles';

const root = path.resolve(__dirname, '..', '..');

function startCli(args: string[]): { child: ChildProcess; output: () => string; url: Promise<string> } {
  const child = spawn(process.execPath, ['-r', './scripts/register-ts.js', 'lib/cli/main.ts', 'serve', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening:\n${out}`)));
  });
  return { child, output: () => out, url };
}

async function waitReady(url: string, timeoutMs = 60_000): Promise<unknown[]> {
  const seen: unknown[] = [];
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const r = await fetch(`${url}/healthz`);
    const body = await r.json();
    if (seen.length === 0 || JSON.stringify(seen[seen.length - 1]) !== JSON.stringify([r.status, body])) seen.push([r.status, body]);
    if (r.status === 200) return seen;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error('the server never became ready');
}

describe('torch-sentiment serve (real port)', () => {
  test('--help documents serve and its flags; bad flags are one-line usage errors', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, ['-r', './scripts/register-ts.js', 'lib/cli/main.ts', ...args], { cwd: root, encoding: 'utf8' });
    const help = cli('--help');
    for (const flag of ['serve', '--port N', '--host ADDR', '--workers N']) expect(help.stdout).toContain(flag);
    const cases: Array<[string[], RegExp]> = [
      [['serve', '--port', 'x'], /--port expects an integer >= 0, got 'x'/],
      [['serve', '--workers', '0', '--model-dir', '.'], /--workers expects an integer >= 1, got '0'/],
      [['serve', '--model-dir', '/nonexistent'], /serve: bundle folder \/nonexistent does not exist/],
      [['serve', 'extra'], /serve takes no positional arguments, got 'extra'/],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  test('healthz is 503 loading, then 200; SIGTERM finishes in-flight requests and exits 0', async () => {
    const { child, output, url } = startCli(['--model-dir', tinyBundle('rnn'), '--port', '0', '--workers', '1']);
    try {
      const base = await url;
      const states = await waitReady(base);
      expect(states[states.length - 1]).toEqual([200, expect.objectContaining({ status: 'ok', model: 'rnn' })]);
      for (const s of states.slice(0, -1)) expect(s).toEqual([503, { status: 'loading' }]);
      // Long texts keep the worker busy so requests are still in flight when the signal arrives.
      const text = 'the film was a superb movie and the plot was boring and it was great '.repeat(40);
      const inflight = Array.from({ length: 16 }, () =>
        fetch(`${base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) }).then(async (r) => [r.status, await r.json()] as const),
      );
      await new Promise((r) => setTimeout(r, 100));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const replies = await Promise.all(inflight);
      expect(replies.map(([status]) => status)).toEqual(replies.map(() => 200));
      expect(replies.every(([, body]) => typeof (body as { probability: number }).probability === 'number')).toBe(true);
      expect(await exited).toBe(0);
      expect(output()).toContain('SIGTERM: finishing in-flight requests');
      expect(output()).toContain('"msg":"closed"');
      await expect(fetch(`${base}/healthz`)).rejects.toThrow(); // no longer listening
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  test('a bundle that cannot be loaded: one line on stderr, exit 1', async () => {
    const { child, output, url } = startCli(['--model-dir', path.join(__dirname), '--port', '0']);
    await url.catch(() => {});
    const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
    expect(code).toBe(1);
    expect(output()).toContain('config.json is missing: not a model bundle folder');
  });
});
