// Child process of token-cache-rss.test.ts (run with --expose-gc): `loadBundle(...).predict` on
// texts of random words, RSS after a warm-up and at the end, printed as one JSON line.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Counter, Vocab, setTokenizerCacheLimit, spacyTokenizer } from '../../../lib/data';
import { basicEnglishInterner } from '../../../lib/text/basic-english';
import { createModel, defaultConfig } from '../../../lib/models';
import { loadBundle, saveBundle } from '../../../lib/train/bundle';

const tokenizer = process.argv[2] as 'spacy' | 'basic_english';
const total = Number(process.argv[3] ?? 200000);
const warmup = Math.min(total, Number(process.argv[4] ?? 40000));
// 'unbounded': the behaviour before the caches had a limit, for comparison.
if (process.argv[5] === 'unbounded') setTokenizerCacheLimit(Infinity);

const words = Array.from({ length: 500 }, (_, i) => `word${i}`);
const vocab = new Vocab(new Counter(words.map((w, i) => [w, 1000 - i] as [string, number])), { specials: ['<unk>', '<pad>'] });
const config = { ...defaultConfig('fasttext', vocab.length, vocab.stoi.get('<pad>')), embeddingDim: 8 };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rss-bundle-'));
const model = createModel(config);
saveBundle(dir, { model, config, vocab, labels: ['neg', 'pos'], tokenizer, lower: false });
model.dispose();
const bundle = loadBundle(dir);

let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const letters = 'abcdefghijklmnopqrstuvwxyz';
function randomText(): string {
  const out: string[] = [];
  for (let w = 0; w < 5; w++) {
    let s = '';
    const n = 4 + Math.floor(rand() * 8);
    for (let k = 0; k < n; k++) s += letters[Math.floor(rand() * 26)];
    out.push(rand() < 0.2 ? `${s}!` : s);
  }
  return out.join(' ');
}

const gc = (globalThis as { gc?: () => void }).gc as () => void;
const rss = () => {
  gc();
  gc();
  return process.memoryUsage().rss;
};
const t0 = performance.now();
let nan = 0;
for (let i = 0; i < warmup; i++) if (Number.isNaN(bundle.predict(randomText()).probability)) nan++;
const before = rss();
for (let i = warmup; i < total; i++) if (Number.isNaN(bundle.predict(randomText()).probability)) nan++;
const after = rss();
const interned = tokenizer === 'spacy' ? spacyTokenizer().interner.size : basicEnglishInterner.size;
console.log(JSON.stringify({ tokenizer, total, warmup, before, after, interned, nan, seconds: (performance.now() - t0) / 1000 }));
bundle.model.dispose();
fs.rmSync(dir, { recursive: true, force: true });
