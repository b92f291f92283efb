// The batching queue and the input checks alone, with a fake model: no worker threads, no libtorch.
import { Batcher } from '../../lib/serve/batcher';
import { ServeError } from '../../lib/serve/errors';
import { checkText, loneSurrogateAt } from '../../lib/serve/limits';

const tick = () => new Promise((r) => setImmediate(r));

function fakeBatcher(o: { maxBatchSize?: number; maxDelayMs?: number; maxQueue?: number; concurrency?: number; delayMs?: number } = {}) {
  const batches: string[][] = [];
  const b = new Batcher<string, string>({
    maxBatchSize: o.maxBatchSize ?? 4,
    maxDelayMs: o.maxDelayMs ?? 0,
    maxQueue: o.maxQueue ?? 100,
    concurrency: o.concurrency ?? 1,
    run: async (items) => {
      batches.push(items);
      await new Promise((r) => setTimeout(r, o.delayMs ?? 5));
      return items.map((s) => s.toUpperCase());
    },
  });
  return { b, batches };
}

describe('Batcher', () => {
  test('groups the texts of one event-loop turn, up to maxBatchSize, and answers each caller with its own result', async () => {
    const { b, batches } = fakeBatcher({ maxBatchSize: 4 });
    const words = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    const results = await Promise.all(words.map((w) => b.submit(w)));
    expect(results).toEqual(words.map((w) => w.toUpperCase()));
    expect(batches.map((x) => x.length)).toEqual([4, 4, 2]);
    expect(batches.flat()).toEqual(words);
  });

  test('with a batch running, a text waits up to maxDelayMs for others; with none running it starts at once', async () => {
    const { b, batches } = fakeBatcher({ maxDelayMs: 30, concurrency: 2, delayMs: 200 });
    const t0 = performance.now();
    const first = b.submit('first'); // the pool is idle: no wait
    await tick();
    expect(batches).toEqual([['first']]);
    const x = b.submit('x'); // a worker is free but a batch runs: wait for company
    await tick();
    expect(batches).toHaveLength(1);
    const late = new Promise((r) => setTimeout(r, 10)).then(() => b.submit('y'));
    await Promise.all([x, late]);
    expect(batches).toEqual([['first'], ['x', 'y']]);
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(29);
    expect(waited).toBeLessThan(1000);
    await first;
  });

  test('while the workers are busy texts pile up and leave as one batch', async () => {
    const { b, batches } = fakeBatcher({ maxBatchSize: 64, concurrency: 1, delayMs: 30 });
    const first = b.submit('first');
    await tick();
    const rest = Array.from({ length: 20 }, (_, i) => b.submit(`t${i}`));
    await Promise.all([first, ...rest]);
    expect(batches.map((x) => x.length)).toEqual([1, 20]);
  });

  test('maxQueue bounds the waiting texts: the next one is QUEUE_FULL (503), not queued', async () => {
    const { b } = fakeBatcher({ maxQueue: 3, delayMs: 20 });
    const ok = [b.submit('a'), b.submit('b'), b.submit('c')];
    await expect(b.submit('d')).rejects.toMatchObject({ code: 'QUEUE_FULL', status: 503 });
    await expect(Promise.all(ok)).resolves.toEqual(['A', 'B', 'C']);
  });

  test('an aborted text leaves the queue and rejects with ABORTED; the others are unaffected', async () => {
    const { b, batches } = fakeBatcher({ maxBatchSize: 2, delayMs: 20 });
    const first = b.submit('a');
    await tick(); // 'a' is running
    const ac = new AbortController();
    const cancelled = b.submit('b', ac.signal);
    const kept = b.submit('c');
    ac.abort(new Error('client left'));
    await expect(cancelled).rejects.toMatchObject({ code: 'ABORTED', name: 'AbortError', message: expect.stringContaining('client left') });
    await expect(Promise.all([first, kept])).resolves.toEqual(['A', 'C']);
    expect(batches.flat()).toEqual(['a', 'c']);
    const already = new AbortController();
    already.abort();
    await expect(b.submit('z', already.signal)).rejects.toBeInstanceOf(ServeError);
  });

  test('drain answers every queued text at once, then refuses new ones with CLOSED', async () => {
    const { b, batches } = fakeBatcher({ maxBatchSize: 8, maxDelayMs: 10_000 });
    const pending = ['a', 'b', 'c'].map((w) => b.submit(w));
    const t0 = performance.now();
    await b.drain();
    expect(performance.now() - t0).toBeLessThan(5000);
    await expect(Promise.all(pending)).resolves.toEqual(['A', 'B', 'C']);
    expect(batches).toEqual([['a', 'b', 'c']]);
    await expect(b.submit('late')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  test('a failing batch rejects each of its callers and the queue goes on', async () => {
    let calls = 0;
    const b = new Batcher<string, string>({
      maxBatchSize: 2, maxDelayMs: 0, maxQueue: 10, concurrency: 1,
      run: async (items) => {
        if (calls++ === 0) throw new Error('worker died');
        return items;
      },
    });
    const [x, y, z] = [b.submit('x'), b.submit('y'), b.submit('z')];
    await expect(x).rejects.toThrow('worker died');
    await expect(y).rejects.toThrow('worker died');
    await expect(z).resolves.toBe('z');
  });
});

describe('checkText', () => {
  test('accepts texts, refuses non-strings, empty, too long and lone surrogates with the parameter and the value', () => {
    expect(checkText('text', 'fine 😀', 10)).toBe('fine 😀');
    expect(() => checkText('text', 5, 10)).toThrow('Expected a string for text but received number 5');
    expect(() => checkText('texts[2]', null, 10)).toThrow('Expected a string for texts[2] but received null');
    expect(() => checkText('text', '', 10)).toThrow('Expected a non-empty text for text but received an empty string');
    expect(() => checkText('text', ' \n\t', 10)).toThrow('received only whitespace');
    expect(() => checkText('text', 'x'.repeat(11), 10)).toThrow(expect.objectContaining({ code: 'TEXT_TOO_LONG', status: 413, message: 'Expected at most 10 characters for text but received 11' }));
    expect(() => checkText('text', 'ab\ud800c', 10)).toThrow('Expected well-formed UTF-16 for text but received a lone surrogate 0xd800 at index 2');
    expect(() => checkText('text', '\udc00', 10)).toThrow('lone surrogate 0xdc00 at index 0');
  });

  test('loneSurrogateAt', () => {
    expect(loneSurrogateAt('😀ok')).toBe(-1);
    expect(loneSurrogateAt('ok\ud83d')).toBe(2);
    expect(loneSurrogateAt('\ude00😀')).toBe(0);
  });
});
