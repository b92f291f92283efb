// Bounded memory for a long-running service: 1,000,000 distinct words the model has never seen keep
// the tokenizer caches under their bound and the process RSS flat.
import { Vocab, Counter } from '../../lib/data';
import { createPredictor } from '../../lib/serve';
import { BoundedTokenizer } from '../../lib/serve/tokenize';
import { tinyBundle } from './helpers/bundles';

/** Texts of `perText` distinct never-seen words each, `total` words in all, starting at word `from`. */
function* unseenTexts(total: number, perText: number, from = 0): Generator<string> {
  for (let i = from; i < from + total; i += perText) {
    const words: string[] = [];
    for (let k = i; k < i + perText; k++) words.push(`zq${k.toString(36)}v`);
    yield words.join(' ');
  }
}

describe('BoundedTokenizer', () => {
  const vocab = new Vocab(new Counter([['good', 3], ['bad', 2], ['film', 1]]));
  test.each(['spacy', 'basic_english', 'whitespace'] as const)('%s: 1,000,000 unseen words -> <unk>, caches stay under the bound', (name) => {
    const tok = new BoundedTokenizer(name, vocab, { maxCachedTokens: 20_000 });
    let unk = 0;
    let maxCached = 0;
    for (const text of unseenTexts(1_000_000, 1000)) {
      const { ids } = tok.tokenize(`good film ${text} bad`);
      expect(ids[0]).toBe(vocab.stoi.get('good'));
      expect(ids[1]).toBe(vocab.stoi.get('film'));
      expect(ids[ids.length - 1]).toBe(vocab.stoi.get('bad'));
      for (let k = 2; k < ids.length - 1; k++) if (ids[k] === vocab.unkIndex) unk++;
      maxCached = Math.max(maxCached, tok.cachedTokens);
    }
    expect(unk).toBe(1_000_000);
    expect(maxCached).toBeLessThanOrEqual(20_000 + 1004); // the bound, plus at most one text's tokens
    if (name !== 'whitespace') expect(tok.resets).toBeGreaterThanOrEqual(40); // whitespace caches nothing
  });
});

test('a predictor fed 1,000,000 distinct unseen words keeps its RSS flat', async () => {
  const predictor = await createPredictor(tinyBundle('fasttext'), { maxQueue: 100_000 });
  try {
    const run = async (from: number, total: number) => {
      const texts = [...unseenTexts(total, 500, from)];
      for (let i = 0; i < texts.length; i += 200) await predictor.predictBatch(texts.slice(i, i + 200));
    };
    await run(0, 200_000); // warm-up: caches filled to their bound once, allocator settled
    global.gc?.();
    const before = process.memoryUsage().rss;
    await run(200_000, 1_000_000);
    global.gc?.();
    const growth = (process.memoryUsage().rss - before) / 2 ** 20;
    console.log(`RSS growth over 1,000,000 unseen words: ${growth.toFixed(1)} MB`);
    expect(growth).toBeLessThan(30);
  } finally {
    await predictor.close();
  }
});
