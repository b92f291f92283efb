// Process CPU time and wall time of each tokenizer on each adversarial 1 MB shape of
// test/reliability/tokenizer-adversarial.test.ts (fresh caches, best of two runs).
// Usage: node -r ./scripts/register-ts.js bench/tokenizer-shapes.ts [--json] [shape-filter]
import { loadavg } from 'os';
import { basicEnglishTokenize } from '../lib/text/basic-english';
import { SpacyTokenizer } from '../lib/text/spacy/tokenizer';
import { SHAPES } from '../test/reliability/helpers/adversarial-shapes';

const MB = 1 << 20;
const json = process.argv.includes('--json');
const filter = process.argv.slice(2).find((a) => a !== '--json') ?? '';
const spacy = new SpacyTokenizer();
const tokenizers: Record<string, (s: string) => string[]> = {
  spacy: (s) => spacy.tokenize(s),
  basic_english: basicEnglishTokenize,
};
const gc = (globalThis as { gc?: () => void }).gc;
const rows: Array<{ shape: string; tokenizer: string; cpuMs: number; wallMs: number }> = [];
if (!json) console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const [shape, make] of Object.entries(SHAPES)) {
  if (!shape.includes(filter)) continue;
  const text = make(MB);
  for (const [name, tokenize] of Object.entries(tokenizers)) {
    let cpuMs = Infinity;
    let wallMs = Infinity;
    for (let run = 0; run < 2; run++) {
      spacy.clearCache();
      gc?.();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      tokenize(text);
      wallMs = Math.min(wallMs, performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpuMs = Math.min(cpuMs, (c.user + c.system) / 1000);
    }
    rows.push({ shape, tokenizer: name, cpuMs, wallMs });
    if (!json) {
      console.log(`${`${shape} / ${name}`.padEnd(36)} cpu ${cpuMs.toFixed(0).padStart(6)} ms  wall ${wallMs.toFixed(0).padStart(6)} ms`);
    }
  }
}
if (json) console.log(JSON.stringify({ loadavg: loadavg(), rows }));
