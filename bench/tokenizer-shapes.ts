// Process CPU time and wall time of each tokenizer on each adversarial 1 MB shape of
// test/reliability/tokenizer-adversarial.test.ts (fresh caches each run).
// Usage: node -r ./scripts/register-ts.js bench/tokenizer-shapes.ts [shape-filter]
import { loadavg } from 'os';
import { basicEnglishTokenize } from '../lib/text/basic-english';
import { SpacyTokenizer } from '../lib/text/spacy/tokenizer';
import { SHAPES } from '../test/reliability/helpers/adversarial-shapes';

const MB = 1 << 20;
const filter = process.argv[2] ?? '';
const spacy = new SpacyTokenizer();
const tokenizers: Record<string, (s: string) => string[]> = {
  spacy: (s) => spacy.tokenize(s),
  basic_english: basicEnglishTokenize,
};
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const [shape, make] of Object.entries(SHAPES)) {
  if (!shape.includes(filter)) continue;
  const text = make(MB);
  for (const [name, tokenize] of Object.entries(tokenizers)) {
    spacy.clearCache();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    tokenize(text);
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    console.log(`${`${shape} / ${name}`.padEnd(36)} cpu ${((c.user + c.system) / 1000).toFixed(0).padStart(6)} ms  wall ${wall.toFixed(0).padStart(6)} ms`);
  }
}
