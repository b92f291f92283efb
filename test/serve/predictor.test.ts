// createPredictor end to end on tiny trained bundles: worker threads, batches equal to one-at-a-time
// predictions for every model, FastText's per-token contributions, cancellation, close, input errors,
// and the event loop kept free while the workers are saturated.
import { monitorEventLoopDelay } from 'perf_hooks';
import { loadBundle } from '../../lib';
import { createPredictor } from '../../lib/serve';
import type { Predictor } from '../../lib/serve';
import { tinyBundle } from './helpers/bundles';

const REVIEWS = [
  'great film',
  'the plot was awful and boring , a terrible movie',
  'superb acting and it was a wonderful , brilliant scene . loved it',
  'hated it',
  'the film was a film and the movie was a movie and the actor was in a scene and it was the plot',
  'dreadful',
  'zyzzyva unseenword',
];

describe('createPredictor', () => {
  test.each(['fasttext', 'rnn', 'lstm', 'cnn'] as const)('%s: batched predictions in worker threads equal loadBundle(dir).predict, in the callers\' order', async (model) => {
    const dir = tinyBundle(model);
    const bundle = loadBundle(dir);
    const predictor = await createPredictor(dir, { workers: 2, maxBatchSize: 4, maxDelayMs: 5 });
    try {
      const sizes: number[] = [];
      predictor.on('batch', (e) => sizes.push(e.size));
      const texts = [...REVIEWS, ...REVIEWS.map((r) => r.split(' ').reverse().join(' '))];
      const single = await Promise.all(texts.map((t) => predictor.predict(t)));
      const batch = await predictor.predictBatch(texts);
      for (const [i, t] of texts.entries()) {
        const expected = bundle.predict(t);
        expect(single[i].probability).toBeCloseTo(expected.probability, 5);
        expect(batch[i].probability).toBeCloseTo(expected.probability, 5);
        expect(single[i].label).toBe(expected.label);
        const [l0, l1] = bundle.config.labels;
        expect(single[i].probabilities[l1]).toBeCloseTo(expected.probability, 5);
        expect(single[i].probabilities[l0]).toBeCloseTo(1 - expected.probability, 5);
      }
      expect(Math.max(...sizes)).toBeGreaterThan(1); // they were batched
      expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
      expect(predictor.info).toMatchObject({ model, labels: bundle.config.labels, workers: 2, explains: model === 'fasttext' });
    } finally {
      bundle.model.dispose();
      await predictor.close();
    }
  });

  test('fasttext: per-token contributions add up to the logit', async () => {
    const dir = tinyBundle('fasttext');
    const bundle = loadBundle(dir);
    const bias = (bundle.model as unknown as { fc: { bias: { item(): number } } }).fc.bias.item();
    const predictor = await createPredictor(dir);
    try {
      const [a, b] = await predictor.predictBatch(['superb acting , loved it', 'awful awful plot'], { explain: true });
      for (const p of [a, b]) {
        expect(p.contributions).toBeDefined();
        const logit = (p.contributions ?? []).reduce((s, c) => s + c.weight, bias);
        expect(1 / (1 + Math.exp(-logit))).toBeCloseTo(p.probability, 5);
      }
      expect(a.contributions?.map((c) => c.token)).toEqual(['superb', 'acting', ',', 'loved', 'it']);
      expect((await predictor.predict('loved it')).contributions).toBeUndefined(); // only when asked
    } finally {
      bundle.model.dispose();
      await predictor.close();
    }
  });

  describe('one fasttext predictor', () => {
    let predictor: Predictor;
    beforeAll(async () => {
      predictor = await createPredictor(tinyBundle('fasttext'), { workers: 1, maxChars: 5000, maxQueue: 5000 });
    });
    afterAll(() => predictor?.close());

    test('input errors name the parameter and the value', async () => {
      await expect(predictor.predict(42 as unknown as string)).rejects.toThrow('Expected a string for text but received number 42');
      await expect(predictor.predict('')).rejects.toMatchObject({ code: 'INVALID_TEXT', status: 400 });
      await expect(predictor.predict('x'.repeat(5001))).rejects.toMatchObject({ code: 'TEXT_TOO_LONG', message: 'Expected at most 5000 characters for text but received 5001' });
      await expect(predictor.predict('bad \udfff')).rejects.toThrow('lone surrogate 0xdfff at index 4');
      await expect(predictor.predictBatch(['fine', 7 as unknown as string])).rejects.toThrow('Expected a string for texts[1] but received number 7');
      await expect(predictor.predictBatch([])).rejects.toThrow('received an empty array');
      await expect(predictor.predictBatch('text' as unknown as string[])).rejects.toThrow('Expected an array of strings for texts');
    });

    test('an AbortSignal cancels a queued prediction', async () => {
      const ac = new AbortController();
      const flood = Array.from({ length: 200 }, () => predictor.predict('great film'));
      const cancelled = predictor.predict('loved it', { signal: ac.signal });
      ac.abort();
      await expect(cancelled).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED' });
      await expect(Promise.all(flood)).resolves.toHaveLength(200);
    });

  });

  // The property under test is that a forward pass never runs on the caller's thread. A timer's delay
  // also depends on how the host schedules threads (on CI's 2-core machines p99 moves between 2 and 9 ms
  // with the same code), so the bound is set by the forward pass itself: a seed-RNN batch of 32 long
  // reviews (50-100 ms here), and a predictor that ran it on the event loop would show delays of that
  // size in every window. The 5 ms p99 target for a service is measured by `npm run bench:serve`.
  test('the event loop stays free while the worker is saturated (p99 delay far below one forward pass)', async () => {
    const predictor = await createPredictor(tinyBundle('rnn'), { workers: 1, maxBatchSize: 32, maxChars: 100_000, maxQueue: 5000 });
    try {
      // Reviews long enough that one batch takes at least 40 ms on this host (a faster CPU gets longer
      // ones), so that a loop blocked by a forward pass could not pass the bound below.
      let review = '';
      let forwardMs = 0;
      for (let repeat = 8; forwardMs < 40 && repeat <= 256; repeat *= 2) {
        review = REVIEWS.join(' ').repeat(repeat);
        const batch = Array.from({ length: 32 }, () => review);
        await predictor.predictBatch(batch); // warm-up
        const forwards: number[] = [];
        for (let i = 0; i < 3; i++) {
          const t = performance.now();
          await predictor.predictBatch(batch);
          forwards.push(performance.now() - t);
        }
        forwardMs = Math.min(...forwards);
      }
      expect(forwardMs).toBeGreaterThanOrEqual(40);
      const bound = forwardMs / 4;
      // Up to three 2-second windows: another process on a shared host can delay this one's timers for a
      // window; a predictor that blocks the loop shows in every window, so the best one must pass.
      const windows: Array<{ p50: number; p99: number }> = [];
      const best = () => Math.min(...windows.map((w) => w.p99));
      for (let w = 0; w < 3 && !(windows.length && best() < bound); w++) {
        const h = monitorEventLoopDelay({ resolution: 1 });
        h.enable();
        const until = performance.now() + 2000;
        let done = 0;
        const lane = async () => {
          while (performance.now() < until) {
            await predictor.predict(review);
            done++;
          }
        };
        await Promise.all(Array.from({ length: 64 }, lane));
        h.disable();
        windows.push({ p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6 });
        console.log(`event-loop delay under saturation: p50 ${(h.percentile(50) / 1e6).toFixed(2)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(2)} ms, max ${(h.max / 1e6).toFixed(2)} ms; ${done} predictions of ${review.length} chars in 2 s; one batch of 32 takes ${forwardMs.toFixed(1)} ms (bound ${bound.toFixed(1)} ms)`);
        expect(done).toBeGreaterThan(64); // the worker was kept busy
      }
      expect(best()).toBeLessThan(bound);
    } finally {
      await predictor.close();
    }
  });

  test('close() answers every queued text, then refuses new ones; a second close is a no-op', async () => {
    const predictor = await createPredictor(tinyBundle('fasttext'), { maxBatchSize: 8, maxDelayMs: 50 });
    const pending = Array.from({ length: 40 }, (_, i) => predictor.predict(`film ${i}`));
    await predictor.close();
    const results = await Promise.all(pending);
    expect(results.every((r) => typeof r.probability === 'number')).toBe(true);
    await expect(predictor.predict('great')).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(predictor.close()).resolves.toBeUndefined();
  });

  test('bad options and a folder that is not a bundle are clear errors', async () => {
    await expect(createPredictor('/nonexistent/bundle')).rejects.toThrow('/nonexistent/bundle/config.json is missing: not a model bundle folder');
    await expect(createPredictor(tinyBundle('fasttext'), { workers: 0 })).rejects.toThrow('Expected an integer >= 1 for options.workers but received number 0');
    await expect(createPredictor(tinyBundle('fasttext'), { wokers: 2 } as never)).rejects.toThrow("createPredictor: unknown option 'wokers'");
    await expect(createPredictor(tinyBundle('fasttext'), { device: 'tpu' })).rejects.toThrow("Expected 'cpu', 'cuda' or 'cuda:N' for options.device but received the string \"tpu\"");
  });
});
