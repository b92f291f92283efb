// Starts the ranks of a distributed test as separate processes (Node: fixtures/rank.ts; Python:
// fixtures/peer.py) on one free local port, and collects each one's `RESULT {...}` line.
import { spawn } from 'child_process';
import * as net from 'net';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '../..');
export const PYTHON = '/usr/bin/python3';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface RankRun {
  rank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  result: Record<string, unknown> | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RankSpec {
  /** 'node' runs fixtures/rank.ts, 'python' fixtures/peer.py. */
  kind?: 'node' | 'python';
  args: string[];
  env?: Record<string, string>;
}

/** Runs one process per spec with torchrun's variables; rejects if any is still running after `limitMs`. */
export async function runRanks(specs: RankSpec[], options: { port?: number; limitMs?: number; env?: Record<string, string> } = {}): Promise<RankRun[]> {
  const port = options.port ?? (await freePort());
  const limitMs = options.limitMs ?? 100_000;
  return Promise.all(
    specs.map(
      (spec, rank) =>
        new Promise<RankRun>((resolve, reject) => {
          const started = Date.now();
          const env = {
            ...process.env,
            MASTER_ADDR: '127.0.0.1',
            MASTER_PORT: String(port),
            RANK: String(rank),
            LOCAL_RANK: String(rank),
            WORLD_SIZE: String(specs.length),
            ...options.env,
            ...spec.env,
          };
          const [cmd, args] =
            spec.kind === 'python'
              ? [PYTHON, [path.join(__dirname, 'fixtures/peer.py'), ...spec.args]]
              : [process.execPath, ['-r', path.join(ROOT, 'scripts/register-ts.js'), path.join(__dirname, 'fixtures/rank.ts'), ...spec.args]];
          const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d) => (stdout += d));
          child.stderr.on('data', (d) => (stderr += d));
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`rank ${rank} still running after ${limitMs} ms (hung); stderr: ${stderr.slice(-2000)}`));
          }, limitMs);
          child.on('close', (code, signal) => {
            clearTimeout(timer);
            const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
            resolve({ rank, code, signal, result: line ? JSON.parse(line.slice(7)) : null, stdout, stderr, ms: Date.now() - started });
          });
        }),
    ),
  );
}

/** Largest absolute difference between two {name: number[]} maps with the same keys. */
export function maxDiff(a: Record<string, number[]>, b: Record<string, number[]>): number {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  let worst = 0;
  for (const k of Object.keys(a)) {
    expect(a[k].length).toBe(b[k].length);
    for (let i = 0; i < a[k].length; i++) worst = Math.max(worst, Math.abs(a[k][i] - b[k][i]));
  }
  return worst;
}
