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
  // A small cache bound, so the caches are rebuilt often and the test sees many generations of them.
  const predictor = await createPredictor(tinyBundle('fasttext'), { maxQueue: 100_000, maxCachedTokens: 20_000 });
  try {
    const run = async (from: number, total: number) => {
      const texts = [...unseenTexts(total, 500, from)];
      for (let i = 0; i < texts.length; i += 200) await predictor.predictBatch(texts.slice(i, i + 200));
    };
    await run(0, 200_000); // warm-up: caches rebuilt several times, allocator settled
    // RSS after each 100,000 words. The worker's garbage goes when its own collector runs (global.gc()
    // reaches only this thread), so single samples move by some MB; a leak shows as a trend: the
    // later samples above the earlier ones (unbounded caches: +222 MB over these 1,000,000 words).
    const samples: number[] = [];
    for (let k = 0; k < 10; k++) {
      await run(200_000 + k * 100_000, 100_000);
      global.gc?.();
      samples.push(process.memoryUsage().rss / 2 ** 20);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const trend = median(samples.slice(5)) - median(samples.slice(0, 5));
    console.log(`RSS over 1,000,000 unseen words (MB, every 100,000): ${samples.map((x) => x.toFixed(0)).join(' ')}; later half - earlier half (medians): ${trend.toFixed(1)} MB`);
    expect(trend).toBeLessThan(30);
    expect(Math.max(...samples) - samples[0]).toBeLessThan(50);
  } finally {
    await predictor.close();
  }
});
