// bench/serve-engine: CPU time per review of one worker's batch forward (lib/serve/engine.ts) by batch
// size, on real IMDb test reviews, in process CPU time (process.cpuUsage: steadier than wall time on a
// shared host). One thread, one BLAS thread, as a serving worker runs.
//
//   npm run bench:serve-engine -- --data ../shared/data/aclImdb-labelled.tar.gz --bundle bench/out/serve/rnn/bundle
//   options: --batches 1,4,16,32  --reviews 256
import { readArchiveFiles } from '../lib/data';
import { setBlasThreads, setFlushDenormal, setNumThreads } from '../lib/index';
import { BatchEngine } from '../lib/serve/engine';

function flag(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const data = flag('data', process.env.TORCH_SENTIMENT_IMDB);
  const bundle = flag('bundle', 'bench/out/serve/rnn/bundle') as string;
  const batches = (flag('batches', '1,4,16,32') as string).split(',').map(Number);
  const count = Number(flag('reviews', '256'));
  if (!data) throw new Error('--data ARCHIVE (the aclImdb .tar.gz) is required');
  const texts: string[] = [];
  await readArchiveFiles(
    data,
    (p) => /aclImdb\/test\/(pos|neg)\/[^/]+\.txt$/.test(p) && texts.length < count,
    (_p, c) => texts.push(c.toString('utf8')),
  );
  setNumThreads(1);
  setBlasThreads(1);
  setFlushDenormal(true);
  const engine = new BatchEngine(bundle);
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  // Tokenizing alone (warm caches), then the whole run() by batch size.
  for (const t of texts) engine.tokenizer.tokenize(t);
  let t0 = cpu();
  for (const t of texts) engine.tokenizer.tokenize(t);
  const tokMs = (cpu() - t0) / texts.length;
  const tokens = texts.reduce((s, t) => s + engine.tokenizer.tokenize(t).ids.length, 0) / texts.length;
  console.log(`${texts.length} reviews, ${tokens.toFixed(0)} tokens on average; tokenize ${(tokMs * 1000).toFixed(0)} us/review`);
  engine.run(texts.slice(0, 8)); // warm-up
  console.log('batch | CPU ms/review');
  for (const b of batches) {
    t0 = cpu();
    for (let i = 0; i + b <= texts.length; i += b) engine.run(texts.slice(i, i + b));
    const n = Math.floor(texts.length / b) * b;
    console.log(`${String(b).padStart(5)} | ${((cpu() - t0) / n).toFixed(2)}`);
  }
  engine.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
