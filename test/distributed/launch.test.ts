// launch() and `torch-sentiment launch`: the torchrun variables, output relay, failure of the whole job
// when one rank dies (with no survivors), signal forwarding, and argument errors.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Writable } from 'stream';
import { LaunchError, launch, type LaunchOptions } from '../../lib/distributed/launch';

const root = path.resolve(__dirname, '..', '..');
const fixture = (name: string) => path.join(__dirname, 'fixtures', name);

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
  return { stream, text: () => chunks.join('') };
}

/** A process that exists and is not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function gone(pids: number[], withinMs: number): Promise<number[]> {
  const t0 = Date.now();
  while (pids.some(alive) && Date.now() - t0 < withinMs) await new Promise((r) => setTimeout(r, 20));
  return pids.filter(alive);
}

const dirs: string[] = [];
function readyDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'launch-test-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function readReady(dir: string): Array<{ pid: number; grandchild?: number }> {
  return fs.readdirSync(dir).filter((f) => /^ready-\d+$/.test(f)).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

async function waitReady(dir: string, count: number): Promise<void> {
  const t0 = Date.now();
  while (readReady(dir).length < count) {
    if (Date.now() - t0 > 60000) throw new Error(`only ${readReady(dir).length} of ${count} ranks got ready`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function rejection(p: Promise<unknown>): Promise<LaunchError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(LaunchError);
  return e as LaunchError;
}

const quiet = (extra: Partial<LaunchOptions> = {}) => {
  const out = sink();
  const err = sink();
  return { out, err, options: { stdout: out.stream, stderr: err.stream, forwardSignals: false, ...extra } };
};

describe('launch', () => {
  test('every rank sees the torchrun variables; output is relayed with [rank N] prefixes', async () => {
    process.env.REMOVED = 'set in the launcher';
    const { out, err, options } = quiet();
    const code = await launch({
      ...options, nprocPerNode: 3, script: fixture('env.js'), args: ['--epochs', '2'],
      env: { EXTRA: 'x', REMOVED: undefined, OMP_NUM_THREADS: undefined },
    });
    delete process.env.REMOVED;
    expect(code).toBe(0);
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(3);
    const seen = lines.map((l) => {
      const m = /^\[rank (\d)\] (.*)$/.exec(l)!;
      const j = JSON.parse(m[2]);
      expect(j.env.RANK).toBe(m[1]);
      return j;
    }).sort((a, b) => a.env.RANK - b.env.RANK);
    const port = seen[0].env.MASTER_PORT;
    expect(Number(port)).toBeGreaterThan(0);
    expect(Number(port)).toBeLessThan(65536);
    seen.forEach((j, rank) => {
      expect(j.env).toEqual({
        MASTER_ADDR: '127.0.0.1', MASTER_PORT: port, RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: '3',
        LOCAL_WORLD_SIZE: '3', GROUP_RANK: '0', GROUP_WORLD_SIZE: '1', TORCHELASTIC_RUN_ID: seen[0].env.TORCHELASTIC_RUN_ID,
        OMP_NUM_THREADS: '1', EXTRA: 'x',
      });
      expect(j.args).toEqual(['--epochs', '2']);
    });
    expect(new Set(seen.map((j) => j.pid)).size).toBe(3);
    expect(err.text().trim().split('\n').sort()).toEqual([0, 1, 2].map((r) => `[rank ${r}] stderr of rank ${r}`));
  });

  test('multi-node ranks (static rendezvous), a given port, no prefix, a .ts script', async () => {
    const { out, options } = quiet();
    await launch({ ...options, nprocPerNode: 2, nnodes: 3, nodeRank: 1, masterAddr: '10.0.0.1', masterPort: 29555, prefixOutput: false, script: fixture('env.js'), env: { OMP_NUM_THREADS: '4' } });
    const envs = out.text().trim().split('\n').map((l) => JSON.parse(l).env).sort((a, b) => a.RANK - b.RANK);
    expect(envs.map((e) => [e.RANK, e.LOCAL_RANK, e.WORLD_SIZE, e.LOCAL_WORLD_SIZE, e.GROUP_RANK, e.GROUP_WORLD_SIZE, e.MASTER_ADDR, e.MASTER_PORT, e.OMP_NUM_THREADS]))
      .toEqual([['2', '0', '6', '2', '1', '3', '10.0.0.1', '29555', '4'], ['3', '1', '6', '2', '1', '3', '10.0.0.1', '29555', '4']]);

    const ts = quiet();
    await launch({ ...ts.options, nprocPerNode: 2, script: path.relative(process.cwd(), fixture('env-ts.ts')) });
    expect(ts.out.text().trim().split('\n').sort()).toEqual(['[rank 0] {"ts":true,"rank":0,"worldSize":2}', '[rank 1] {"ts":true,"rank":1,"worldSize":2}']);
  });

  test('a rank that exits 3 fails the job with its rank, code and last stderr lines; the others are stopped by SIGTERM', async () => {
    const dir = readyDir();
    const { options, err } = quiet({ env: { READY_DIR: dir, FAIL_RANK: '1', FAIL_CODE: '3' } });
    const t0 = Date.now();
    const e = await rejection(launch({ ...options, nprocPerNode: 3, script: fixture('fail.js'), graceMs: 30000 }));
    const elapsed = Date.now() - t0;
    expect(e.code).toBe('ERR_LAUNCH_RANK_FAILED');
    expect(e.rank).toBe(1);
    expect(e.exitCode).toBe(3);
    expect(e.signal).toBeNull();
    expect(e.message).toMatch(/^launch: rank 1 \(local rank 1, pid \d+\) exited with code 3; the 2 other running ranks were stopped\nlast lines of its stderr:\n  rank 1 line 12\n/);
    expect(e.message.endsWith('  rank 1 line 30\n  Error: rank 1 gives up')).toBe(true);
    expect(e.stderrTail).toHaveLength(20);
    expect(e.stderrTail[19]).toBe('Error: rank 1 gives up');
    expect(e.ranks.map((r) => [r.rank, r.exitCode, r.signal])).toEqual([[0, null, 'SIGTERM'], [1, 3, null], [2, null, 'SIGTERM']]);
    // The survivors went at SIGTERM, long before the 30 s grace period would have sent SIGKILL.
    expect(elapsed).toBeLessThan(20000);
    const survivors = readReady(dir).map((r) => r.pid);
    expect(survivors.sort()).toEqual([e.ranks[0].pid, e.ranks[2].pid].sort());
    expect(survivors.filter(alive)).toEqual([]);
    // The failing rank's stderr was passed through as well, whole.
    expect(err.text()).toContain('[rank 1] rank 1 line 1\n');
  });

  test('survivors that ignore SIGTERM get SIGKILL after graceMs, with the processes they started', async () => {
    const dir = readyDir();
    const { options, out } = quiet({ env: { READY_DIR: dir, FAIL_RANK: '0', FAIL_SIGNAL: 'SIGKILL', IGNORE_TERM: '1', GRANDCHILD: '1' } });
    const t0 = Date.now();
    const e = await rejection(launch({ ...options, nprocPerNode: 3, script: fixture('fail.js'), graceMs: 700 }));
    const elapsed = Date.now() - t0;
    expect(e.code).toBe('ERR_LAUNCH_RANK_FAILED');
    expect(e.rank).toBe(0);
    expect(e.signal).toBe('SIGKILL');
    expect(e.exitCode).toBeNull();
    expect(e.message).toMatch(/^launch: rank 0 \(local rank 0, pid \d+\) was killed by SIGKILL; the 2 other running ranks were stopped/);
    expect(e.ranks.slice(1).map((r) => r.signal)).toEqual(['SIGKILL', 'SIGKILL']);
    expect(out.text()).toContain('[rank 1] rank 1 ignores SIGTERM');
    expect(elapsed).toBeGreaterThanOrEqual(700);
    const ready = readReady(dir);
    expect(ready).toHaveLength(2);
    const pids = ready.flatMap((r) => [r.pid, r.grandchild!]);
    expect(pids.every((p) => Number.isInteger(p))).toBe(true);
    expect(await gone(pids, 2000)).toEqual([]);
  });

  test('a rank that exits 0 leaving a process on its pipes: the job ends, and that process is killed', async () => {
    const dir = readyDir();
    const { options } = quiet({ env: { READY_DIR: dir } });
    const t0 = Date.now();
    expect(await launch({ ...options, nprocPerNode: 2, script: fixture('leave-child.js') })).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15000);
    const ready = readReady(dir);
    expect(ready).toHaveLength(2);
    expect(await gone(ready.map((r) => r.grandchild!), 2000)).toEqual([]);
  });

  test('options.signal stops every rank (SIGTERM) and rejects with ERR_LAUNCH_ABORTED', async () => {
    const dir = readyDir();
    const ac = new AbortController();
    const { options, out } = quiet({ env: { READY_DIR: dir }, signal: ac.signal });
    const job = launch({ ...options, nprocPerNode: 2, script: fixture('wait.js') });
    await waitReady(dir, 2);
    ac.abort();
    const e = await rejection(job);
    expect(e.code).toBe('ERR_LAUNCH_ABORTED');
    expect(out.text().split('\n').filter(Boolean).sort()).toEqual(['[rank 0] rank 0 got SIGTERM', '[rank 1] rank 1 got SIGTERM']);
    expect(readReady(dir).map((r) => r.pid).filter(alive)).toEqual([]);
  });

  test('argument errors name the option; a missing script is a LaunchError', async () => {
    const script = fixture('env.js');
    await expect(launch({ nprocPerNode: 0, script })).rejects.toThrow(new RangeError('Expected an integer in [1, 1024] for options.nprocPerNode but received number 0'));
    await expect(launch({ nprocPerNode: 1, script, masterPort: 70000 })).rejects.toThrow('Expected an integer in [1, 65535] for options.masterPort but received number 70000');
    await expect(launch({ nprocPerNode: 1, script, nnodes: 2, masterAddr: 'h' })).rejects.toThrow(/options\.masterAddr and options\.masterPort with nnodes 2/);
    await expect(launch({ nprocPerNode: 1, script, nnodes: 2, nodeRank: 2, masterAddr: 'h', masterPort: 1 })).rejects.toThrow(RangeError);
    await expect(launch({ nprocPerNode: 1, script, args: [1] as never })).rejects.toThrow('Expected a string for options.args[0] but received number 1');
    await expect(launch({ nprocPerNode: 1, script, nproc: 2 } as never)).rejects.toThrow(/Unknown option 'nproc' for launch options/);
    const e = await rejection(launch({ nprocPerNode: 1, script: 'no/such/script.js' }));
    expect(e.code).toBe('ERR_LAUNCH_SCRIPT_NOT_FOUND');
  });
});

describe('torch-sentiment launch', () => {
  const args = ['-r', './scripts/register-ts.js', 'lib/cli/main.ts', 'launch'];
  const cli = (argv: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [...args, ...argv],
    { cwd: root, encoding: 'utf8', timeout: 60000, env: { ...process.env, ...env } });

  test.each([
    [[], /^torch-sentiment: launch needs a script: torch-sentiment launch --nproc-per-node 2 train\.js \[args\.\.\.\]$/],
    [['--nproc-per-node', '0', 'x.js'], /^torch-sentiment: --nproc-per-node expects an integer in \[1, 1024\], got '0'$/],
    [['--nproc-per-node=two', 'x.js'], /--nproc-per-node expects an integer in \[1, 1024\], got 'two'$/],
    [['--nproc-per-node'], /^torch-sentiment: Option '--nproc-per-node <value>' argument missing$/],
    [['--nprocs', '2', 'x.js'], /^torch-sentiment: launch: unknown option '--nprocs' \(launch options come before the script; see --help\)$/],
    [['--nproc-per-node', '2', 'no/such.js'], /^torch-sentiment: launch: script no\/such\.js does not exist$/],
    [['--nnodes', '2', 'test/distributed/fixtures/env.js'], /--nnodes 2 needs --master-addr and --master-port/],
    [['--nnodes', '2', '--node-rank', '2', 'x.js'], /--node-rank expects an integer in \[0, 1\], got '2'$/],
    [['--master-port', '70000', 'x.js'], /--master-port expects an integer in \[1, 65535\], got '70000'$/],
  ])('usage error %j', (argv, message) => {
    const r = cli(argv);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test("'launch' after another option is a usage error", () => {
    const r = spawnSync(process.execPath, ['-r', './scripts/register-ts.js', 'lib/cli/main.ts', '--no-progress', 'launch', 'x.js'], { cwd: root, encoding: 'utf8', timeout: 60000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('torch-sentiment: launch comes first, then its options: torch-sentiment launch --nproc-per-node N SCRIPT [ARGS...]');
  });

  test("the script's own flags pass through (after the script, or after --); a failing rank exits 1 with its stderr", () => {
    const ok = cli(['--nproc_per_node=2', '--no-prefix', '--', 'test/distributed/fixtures/env.js', '--nproc-per-node', '5', '--help']);
    expect(ok.status).toBe(0);
    const runs = ok.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(runs.map((j) => j.args)).toEqual([['--nproc-per-node', '5', '--help'], ['--nproc-per-node', '5', '--help']]);

    const dir = readyDir();
    const bad = cli(['--nproc-per-node', '2', 'test/distributed/fixtures/fail.js'], { READY_DIR: dir, FAIL_RANK: '1', FAIL_CODE: '7' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/\ntorch-sentiment: launch: rank 1 \(local rank 1, pid \d+\) exited with code 7; the other running rank was stopped\nlast lines of its stderr:\n(  .*\n){19}  Error: rank 1 gives up\n$/);
    expect(readReady(dir).map((r) => r.pid).filter(alive)).toEqual([]);
  });

  test.each([['SIGTERM', 143], ['SIGINT', 130]] as const)('%s to the launcher reaches every rank; it exits %d', async (sig, status) => {
    const dir = readyDir();
    const child = spawn(process.execPath, [...args, '--nproc-per-node', '2', 'test/distributed/fixtures/wait.js'],
      { cwd: root, env: { ...process.env, READY_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitReady(dir, 2);
    const t0 = Date.now();
    child.kill(sig);
    expect(await exited).toBe(status);
    expect(Date.now() - t0).toBeLessThan(4000); // the ranks exit on the forwarded signal, not the 5 s SIGKILL
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual([`[rank 0] rank 0 got ${sig}`, `[rank 1] rank 1 got ${sig}`]);
    expect(stderr.trim()).toBe(`torch-sentiment: launch: received ${sig}, forwarded it to all 2 ranks and stopped the job`);
    expect(await gone(readReady(dir).map((r) => r.pid), 2000)).toEqual([]);
  });
});
