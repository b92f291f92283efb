// The batch engine in-thread: the seed RNN's segmented forward (texts ending in different time
// segments, segments padded to at least MIN_SEGMENT steps, ties, a one-token text) scores each text as
// loadBundle(dir).predict scores it alone, in input order.
import { loadBundle } from '../../lib';
import { BatchEngine } from '../../lib/serve/engine';
import { tinyBundle } from './helpers/bundles';

const WORDS = ['great', 'film', 'awful', 'boring', 'superb', 'acting', 'the', 'plot', 'was', 'zyzzyva', 'terrible', 'loved', '.', ','];

/** A text of `n` words, varied by `seed`, so texts of the same length differ. */
function text(n: number, seed: number): string {
  return Array.from({ length: n }, (_, i) => WORDS[(i * 7 + seed * 3 + ((i * seed) % 5)) % WORDS.length]).join(' ');
}

test('rnn: a batch of lengths 1..300 (segments, ties, padding inside segments) equals one-at-a-time predictions', () => {
  const dir = tinyBundle('rnn');
  const engine = new BatchEngine(dir);
  const bundle = loadBundle(dir);
  try {
    const lengths = [300, 1, 17, 250, 18, 18, 3, 120, 121, 135, 2, 64, 299, 40, 5, 33, 32, 31, 200, 9];
    const texts = lengths.map((n, k) => text(n, k));
    const { probabilities } = engine.run(texts);
    expect(probabilities).toHaveLength(texts.length);
    const expected = texts.map((t) => bundle.predict(t).probability);
    for (let i = 0; i < texts.length; i++) expect(probabilities[i]).toBeCloseTo(expected[i], 5);
    // Not all the same score: the comparison above can tell texts apart.
    expect(new Set(expected.map((p) => p.toFixed(4))).size).toBeGreaterThan(5);
    // Each text alone gives the same as in the batch.
    for (const i of [0, 1, 4, 13]) expect(engine.run([texts[i]]).probabilities[0]).toBeCloseTo(probabilities[i], 5);
  } finally {
    engine.dispose();
    bundle.model.dispose();
  }
});
