// A long-running service keeps a flat memory: 200,000 texts of random words through
// `loadBundle(...).predict` (the shared, bounded tokenizer caches) grow RSS by less than 20 MB
// after a warm-up, for spaCy and basic_english (issue 12: 229 -> 408 MB before the caches had a limit).
// Each run is a child process with --expose-gc (see helpers/rss-predict.ts); the figures are printed.
import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');

function run(tokenizer: string): { before: number; after: number; interned: number; nan: number; seconds: number } {
  const r = spawnSync(process.execPath, ['--expose-gc', '-r', './scripts/register-ts.js', 'test/reliability/helpers/rss-predict.ts', tokenizer, '200000', '40000'],
    { cwd: root, encoding: 'utf8', timeout: 480000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

describe('tokenizer caches are bounded: RSS over 200,000 predictions of random words', () => {
  test.each(['spacy', 'basic_english'])('%s', (tokenizer) => {
    const m = run(tokenizer);
    const mb = (b: number) => (b / 2 ** 20).toFixed(1);
    console.log(`${tokenizer}: RSS ${mb(m.before)} MB after 40,000 predictions -> ${mb(m.after)} MB after 200,000 ` +
      `(${m.interned} tokens interned at the end, ${m.seconds.toFixed(1)} s)`);
    expect(m.nan).toBe(0);
    expect(m.interned).toBeLessThanOrEqual(65536 + 100);
    expect(m.after - m.before).toBeLessThan(20 * 2 ** 20);
  }, 600000);
});
