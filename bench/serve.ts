// bench/serve: this package's HTTP server against FastAPI + uvicorn + PyTorch serving the same model.pt,
// under autocannon, with 100 real IMDb test reviews as request bodies.
//
//   npm run bench:serve -- --data ../shared/data/aclImdb-labelled.tar.gz          (the table)
//   npm run bench:serve -- --data ... --mode overload                            (1,000 connections)
//   npm run bench:serve -- --data ... --mode soak [--requests 1000000]           (RSS over random words)
//   npm run bench:serve -- --data ... --mode event-loop                          (loop delay, predictor saturated)
//
// Options: --models fasttext,rnn  --workers 1,2  --connections 1,16,64  --duration 10 (s per run)
//          --fasttext DIR --rnn DIR (bundles; default: trained into bench/out/serve/<model>/ on first run
//          with the CLI: fasttext 5 epochs, the seed rnn 1 epoch)  --no-python (skip the baseline)
//          --callers 64 (--mode event-loop: concurrent predict() calls)
// Our server's event-loop delay over each run (p99 / max, 1 ms resolution) is read inside it by
// bench/event-loop-probe.js, preloaded with node -r; the server's code is the CLI's `serve`, unchanged.
// Results: printed, and written to bench/out/serve/<mode>.json.
import { spawn, spawnSync } from 'child_process';
import type { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { readArchiveFiles } from '../lib/data';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult>;
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'bench', 'out', 'serve');
const PYTHON = '/usr/bin/python3';

function flag(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] && !process.argv[i + 1].startsWith('--') ? process.argv[i + 1] : fallback;
}
const list = (name: string, fallback: string) => (flag(name, fallback) as string).split(',').map((s) => s.trim()).filter(Boolean);

const data = flag('data', process.env.TORCH_SENTIMENT_IMDB);
const mode = flag('mode', 'table') as 'table' | 'overload' | 'soak' | 'event-loop';
const duration = Number(flag('duration', '10'));
const models = list('models', 'fasttext,rnn') as Array<'fasttext' | 'rnn'>;
const workerCounts = list('workers', '1,2').map(Number);
const connectionCounts = list('connections', '1,16,64').map(Number);
const python = !process.argv.includes('--no-python');

function bundleFor(model: string): string {
  const given = flag(model);
  if (given) return given;
  const dir = path.join(out, model);
  const bundle = path.join(dir, 'bundle');
  if (fs.existsSync(path.join(bundle, 'config.json'))) return bundle;
  if (!data) throw new Error(`no ${model} bundle: pass --data ARCHIVE (to train one) or --${model} DIR`);
  console.log(`training the ${model} bundle into ${dir} ...`);
  const r = spawnSync(process.execPath, ['-r', './scripts/register-ts.js', 'lib/cli/main.ts', 'train', '--model', model, '--epochs', model === 'rnn' ? '1' : '5', '--data', data, '--out', dir, '--no-progress'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`training ${model} failed`);
  return bundle;
}

/** 100 IMDb test reviews (the first 50 positive and 50 negative in the archive's order), as JSON bodies. */
async function reviews(): Promise<string[]> {
  if (!data) throw new Error('--data ARCHIVE (the aclImdb .tar.gz) is required for the review bodies');
  const picked: string[] = [];
  const counts: Record<string, number> = { pos: 0, neg: 0 };
  await readArchiveFiles(
    data,
    (p) => {
      const m = /aclImdb\/test\/(pos|neg)\/[^/]+\.txt$/.exec(p);
      return m !== null && counts[m[1]]++ < 50;
    },
    (_p, contents) => picked.push(contents.toString('utf8')),
  );
  if (picked.length < 100) throw new Error(`${data}: found only ${picked.length} test reviews`);
  return picked.map((text) => JSON.stringify({ text }));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs = 180_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never became healthy`);
}

/** Event-loop delay of our server's main thread over one load (bench/event-loop-probe.js), ms. */
interface EventLoopDelay {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

interface Server {
  name: string;
  url: string;
  child: ChildProcess;
  rssMB(): number;
  /** Ours only: restarts the server's event-loop histogram, then reads it. */
  eventLoop?: { reset(): Promise<void>; read(): Promise<EventLoopDelay> };
  stop(): Promise<void>;
}

/** Sends the probe a message and waits for its answer (a message with an `eventLoop` field). */
function ask(child: ChildProcess, message: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown) => {
      if (m === null || typeof m !== 'object' || !('eventLoop' in m)) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve((m as { eventLoop: unknown }).eventLoop);
    };
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`the server did not answer ${message} (is bench/event-loop-probe.js preloaded?)`));
    }, 10_000);
    child.on('message', onMessage);
    child.send(message);
  });
}

/** The reset and read of a process started with bench/event-loop-probe.js and an IPC channel. */
function probe(child: ChildProcess): { reset(): Promise<void>; read(): Promise<EventLoopDelay> } {
  return {
    reset: async () => {
      await ask(child, 'event-loop:reset');
    },
    read: async () => (await ask(child, 'event-loop:read')) as EventLoopDelay,
  };
}

async function startServer(kind: 'node' | 'fastapi', bundle: string, workers: number): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child =
    kind === 'node'
      ? spawn(process.execPath, ['-r', './scripts/register-ts.js', '-r', './bench/event-loop-probe.js', 'lib/cli/main.ts', 'serve', '--model-dir', bundle, '--port', String(port), '--workers', String(workers)], { cwd: root, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
      : spawn(PYTHON, [path.join(root, 'bench', 'serve_fastapi.py'), '--port', String(port), '--workers', String(workers)], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, BUNDLE_DIR: bundle } });
  await waitHealthy(url, child);
  return {
    name: kind === 'node' ? 'torch-sentiment' : 'FastAPI+PyTorch',
    url,
    child,
    rssMB() {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
    },
    eventLoop: kind === 'node' ? probe(child) : undefined,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}

function load(url: string, bodies: string[], connections: number, seconds: number, extra: Record<string, unknown> = {}): Promise<AutocannonResult> {
  return autocannon({
    url,
    connections,
    duration: seconds,
    requests: bodies.map((body) => ({ method: 'POST', path: '/v1/predict', headers: { 'content-type': 'application/json' }, body })),
    ...extra,
  });
}

interface Row {
  model: string;
  workers: number;
  connections: number;
  server: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Our server's event-loop delay over the run (p99 / max ms); none for FastAPI. */
  loop?: string;
  /** An idle bystander process's loop delay over the same run (p99 / max ms): the host's share. */
  host?: string;
}

/** p99 / max, as the table prints them. */
const ms = (d: EventLoopDelay): string => `${d.p99.toFixed(2)} / ${d.max.toFixed(2)}`;

function printRows(rows: Row[]): void {
  console.log('\n| model | workers | connections | server | req/s | p50 ms | p99 ms | errors | non-2xx | server loop delay p99 / max ms | bystander p99 / max ms |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.model} | ${r.workers} | ${r.connections} | ${r.server} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${r.loop ?? '—'} | ${r.host ?? '—'} |`);
}

async function table(): Promise<void> {
  const bodies = await reviews();
  const rows: Row[] = [];
  const other = await bystander();
  try {
    for (const model of models) {
      const bundle = bundleFor(model);
      for (const workers of workerCounts) {
        for (const kind of python ? (['node', 'fastapi'] as const) : (['node'] as const)) {
          const server = await startServer(kind, bundle, workers);
          try {
            await load(server.url, bodies, 16, Math.min(2, duration)); // warm-up
            for (const connections of connectionCounts) {
              await server.eventLoop?.reset();
              await other.reset();
              const r = await load(server.url, bodies, connections, duration);
              const loop = await server.eventLoop?.read();
              const host = await other.read();
              const row = { model, workers, connections, server: server.name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx, loop: loop && ms(loop), host: ms(host) };
              rows.push(row);
              console.log(JSON.stringify(row));
            }
          } finally {
            await server.stop();
          }
        }
      }
    }
  } finally {
    other.stop();
  }
  printRows(rows);
  console.log('\nratio at 16 connections (torch-sentiment / FastAPI req/s; p99 torch-sentiment vs FastAPI):');
  for (const model of models) {
    for (const workers of workerCounts) {
      const a = rows.find((r) => r.model === model && r.workers === workers && r.connections === 16 && r.server === 'torch-sentiment');
      const b = rows.find((r) => r.model === model && r.workers === workers && r.connections === 16 && r.server !== 'torch-sentiment');
      if (a && b) console.log(`  ${model}, ${workers} worker(s): ${(a.rps / b.rps).toFixed(2)}x, p99 ${a.p99} vs ${b.p99} ms`);
    }
  }
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'table.json'), JSON.stringify({ date: new Date().toISOString(), duration, rows }, null, 2));
}

async function overload(): Promise<void> {
  const bodies = await reviews();
  const connections = Number(flag('connections', '1000'));
  const results = [];
  for (const model of models) {
    const server = await startServer('node', bundleFor(model), workerCounts[0]);
    try {
      await server.eventLoop?.reset();
      const r = await load(server.url, bodies, connections, duration, { timeout: 30 });
      const loop = await server.eventLoop?.read();
      const alive = server.child.exitCode === null && (await fetch(`${server.url}/healthz`)).status === 200;
      const row = { model, connections, workers: workerCounts[0], rps: r.requests.average, total: r.requests.total, p99: r.latency.p99, errors: r.errors, timeouts: r.timeouts, status: Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count])), crashed: !alive, eventLoopMs: loop };
      results.push(row);
      console.log(JSON.stringify(row));
    } finally {
      await server.stop();
    }
  }
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'overload.json'), JSON.stringify({ date: new Date().toISOString(), duration, results }, null, 2));
}

/** A Node process with nothing to do but the probe: its loop delay is the host's scheduling alone. */
async function bystander(): Promise<{ reset(): Promise<void>; read(): Promise<EventLoopDelay>; stop(): void }> {
  const child = spawn(process.execPath, ['-r', './bench/event-loop-probe.js', '-e', 'setInterval(() => {}, 1 << 30)'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await ask(child, 'event-loop:read'); // started and answering
  return { ...probe(child), stop: () => child.kill('SIGTERM') };
}

/**
 * The service's own case without HTTP: a predictor kept saturated by 64 callers in this process (as
 * test/serve/predictor.test.ts does with a tiny model), this event loop's delay measured meanwhile at
 * 1 ms resolution, and beside it a bystander process's, which shows what the host's scheduling alone
 * costs a timer during the same seconds.
 */
async function eventLoop(): Promise<void> {
  const { createPredictor } = await import('../lib/serve');
  const { monitorEventLoopDelay } = await import('perf_hooks');
  const texts = (await reviews()).map((b) => (JSON.parse(b) as { text: string }).text);
  const callers = Number(flag('callers', '64'));
  if (!Number.isInteger(callers) || callers < 1) throw new Error(`--callers expects a positive integer, got '${flag('callers')}'`);
  const results = [];
  console.log(`\n| model | workers | callers | predictions/s | loop delay p50 / p99 / max ms | bystander p99 / max ms |`);
  console.log('|---|---|---|---|---|---|');
  for (const model of models) {
    for (const workers of workerCounts) {
      const predictor = await createPredictor(bundleFor(model), { workers });
      const other = await bystander();
      try {
        await predictor.predictBatch(texts); // warm-up
        const h = monitorEventLoopDelay({ resolution: 1 });
        await other.reset();
        h.enable();
        const until = performance.now() + duration * 1000;
        let done = 0;
        let next = 0;
        const lane = async () => {
          while (performance.now() < until) {
            await predictor.predict(texts[next++ % texts.length]);
            done++;
          }
        };
        await Promise.all(Array.from({ length: callers }, lane));
        h.disable();
        const host = await other.read();
        const row = { model, workers, callers, perSecond: done / duration, p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6, bystander: host };
        results.push(row);
        console.log(`| ${model} | ${workers} | ${callers} | ${row.perSecond.toFixed(0)} | ${row.p50.toFixed(2)} / ${row.p99.toFixed(2)} / ${row.max.toFixed(2)} | ${host.p99.toFixed(2)} / ${host.max.toFixed(2)} |`);
      } finally {
        other.stop();
        await predictor.close();
      }
    }
  }
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'event-loop.json'), JSON.stringify({ date: new Date().toISOString(), duration, results }, null, 2));
}

/** Bodies of random never-seen words, a fresh one per request. */
function randomWords(): string {
  const words: string[] = [];
  for (let i = 0; i < 20; i++) words.push(Math.random().toString(36).slice(2, 10));
  return JSON.stringify({ text: words.join(' ') });
}

async function soak(): Promise<void> {
  const total = Number(flag('requests', '1000000'));
  const model = models[0];
  const server = await startServer('node', bundleFor(model), workerCounts[0]);
  const request = { method: 'POST', path: '/v1/predict', headers: { 'content-type': 'application/json' }, setupRequest: (req: Record<string, unknown>) => ({ ...req, body: randomWords() }) };
  try {
    await autocannon({ url: server.url, connections: 16, amount: Math.min(50_000, total / 10), requests: [request] }); // warm-up
    const before = server.rssMB();
    const samples: Array<[number, number]> = [[0, before]];
    const step = Math.max(10_000, Math.floor(total / 10));
    let done = 0;
    let errors = 0;
    let non2xx = 0;
    while (done < total) {
      const n = Math.min(step, total - done);
      const r = await autocannon({ url: server.url, connections: 16, amount: n, requests: [request] });
      done += n;
      errors += r.errors + r.timeouts;
      non2xx += r.non2xx;
      samples.push([done, server.rssMB()]);
      console.log(`${done.toLocaleString('en-US')} requests: RSS ${server.rssMB().toFixed(1)} MB (${(server.rssMB() - before).toFixed(1)} MB since the warm-up), ${r.requests.average.toFixed(0)} req/s`);
    }
    const growth = server.rssMB() - before;
    console.log(`\nsoak: ${total.toLocaleString('en-US')} requests of 20 random words each (${model}, ${workerCounts[0]} worker): RSS ${before.toFixed(1)} -> ${server.rssMB().toFixed(1)} MB, growth ${growth.toFixed(1)} MB; errors ${errors}, non-2xx ${non2xx}`);
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'soak.json'), JSON.stringify({ date: new Date().toISOString(), model, total, samples, growth, errors, non2xx }, null, 2));
  } finally {
    await server.stop();
  }
}

const run = { table, overload, soak, 'event-loop': eventLoop }[mode];
if (!run) throw new Error(`--mode expects table, overload, soak or event-loop, got '${mode}'`);
run().catch((e: Error) => {
  console.error(`bench/serve: ${e.message}`);
  process.exit(1);
});
