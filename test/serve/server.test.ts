// The HTTP layer through fastify.inject: bodies, status codes and JSON errors, the queue bound (503 +
// Retry-After), /healthz before and after loading, /metrics, and the plugin inside an existing app.
// light-my-request (fastify.inject) requires the ESM-only `cookie` 2 for request cookies, which Jest's
// CommonJS runtime cannot load; these tests send none.
jest.mock('cookie', () => ({ stringifySetCookie: () => { throw new Error('request cookies are not supported in these tests'); } }));
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { buildServer, createPredictor, sentimentPlugin } from '../../lib/serve';
import type { Predictor } from '../../lib/serve';
import { tinyBundle } from './helpers/bundles';

const post = (app: FastifyInstance, payload: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  app.inject({ method: 'POST', url: '/v1/predict', headers, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

describe('sentiment server', () => {
  let predictor: Predictor;
  let app: FastifyInstance;
  beforeAll(async () => {
    predictor = await createPredictor(tinyBundle('fasttext'), { maxChars: 2000, maxQueue: 4, maxBatchSize: 2, maxDelayMs: 0 });
    app = await buildServer(predictor, { logger: false, bodyLimit: 64 * 1024 });
  });
  afterAll(async () => {
    await app?.close();
    await predictor?.close();
  });

  test('POST /v1/predict with {text} and with {texts}', async () => {
    const one = await post(app, { text: 'superb film , loved it' });
    expect(one.statusCode).toBe(200);
    const body = one.json();
    expect(body).toEqual({ label: expect.any(String), probability: expect.any(Number), probabilities: expect.any(Object) });
    expect(predictor.info.labels).toContain(body.label);
    const many = await post(app, { texts: ['superb film , loved it', 'awful boring'], explain: true });
    expect(many.statusCode).toBe(200);
    const { predictions } = many.json();
    expect(predictions).toHaveLength(2);
    expect(predictions[0].probability).toBeCloseTo(body.probability, 5);
    expect(predictions[1].contributions.map((c: { token: string }) => c.token)).toEqual(['awful', 'boring']);
  });

  test.each([
    ['a number', { text: 5 }, 'Expected a string for text but received number 5'],
    ['an empty text', { text: '' }, 'Expected a non-empty text for text but received an empty string'],
    ['a lone surrogate', { text: 'ok \ud800' }, 'Expected well-formed UTF-16 for text but received a lone surrogate 0xd800 at index 3'],
    ['a non-string in texts', { texts: ['ok', null] }, 'Expected a string for texts[1] but received null'],
    ['an empty texts', { texts: [] }, 'Expected at least one text in texts but received an empty array'],
    ['both fields', { text: 'a', texts: ['b'] }, 'Expected exactly one of "text" or "texts" in the body'],
    ['neither field', {}, 'Expected exactly one of "text" or "texts" in the body'],
    ['an unknown field', { txt: 'a' }, 'Unknown field "txt" in the body'],
    ['a non-boolean explain', { text: 'a', explain: 'yes' }, 'Expected a boolean for explain but received the string "yes"'],
    ['an array body', [1, 2], 'Expected a JSON object {"text": ...} or {"texts": [...]} for the body but received an array of length 2'],
  ])('400 with a JSON error for %s', async (_name, payload, message) => {
    const r = await post(app, payload);
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ statusCode: 400, code: 'INVALID_TEXT', error: 'Bad Request', message: expect.stringContaining(message) });
  });

  test('400 for malformed JSON, 413 for a body over the limit or a text over maxChars, 415 for another content type', async () => {
    const bad = await post(app, '{"text": "unfinished');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    const huge = await post(app, { text: 'a '.repeat(40 * 1024) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    const long = await post(app, { text: 'a'.repeat(2001) });
    expect(long.statusCode).toBe(413);
    expect(long.json()).toMatchObject({ code: 'TEXT_TOO_LONG', message: 'Expected at most 2000 characters for text but received 2001' });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const r = await post(app, 'text=hi', { 'content-type': type });
      expect(r.statusCode).toBe(415);
      expect(r.json()).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
    }
  });

  test('503 with Retry-After when the queue is full, and every other request answered', async () => {
    const texts = Array.from({ length: 60 }, (_, i) => `the film ${i} was superb `.repeat(20));
    const replies = await Promise.all(texts.map((text) => post(app, { text })));
    const codes = replies.map((r) => r.statusCode);
    expect(codes.filter((c) => c !== 200 && c !== 503)).toEqual([]);
    const full = replies.filter((r) => r.statusCode === 503);
    expect(full.length).toBeGreaterThan(0);
    expect(full[0].headers['retry-after']).toBe('1');
    expect(full[0].json()).toMatchObject({ code: 'QUEUE_FULL', message: expect.stringContaining('the queue is full (4 texts waiting)') });
    expect(codes.filter((c) => c === 200).length).toBeGreaterThanOrEqual(4);
  });

  test('GET /healthz, GET /metrics and the page at /', async () => {
    const h = await app.inject({ url: '/healthz' });
    expect(h.statusCode).toBe(200);
    expect(h.json()).toEqual({ status: 'ok', model: 'fasttext', labels: predictor.info.labels, explains: true, workers: 1 });
    const m = await app.inject({ url: '/metrics' });
    expect(m.statusCode).toBe(200);
    expect(m.headers['content-type']).toContain('text/plain');
    expect(m.body).toMatch(/sentiment_http_requests_total\{route="\/v1\/predict",method="POST",status="200"\} \d+/);
    expect(m.body).toMatch(/sentiment_http_requests_total\{route="\/v1\/predict",method="POST",status="503"\} [1-9]/);
    expect(m.body).toMatch(/sentiment_batch_size_count [1-9]/);
    expect(m.body).toMatch(/sentiment_texts_predicted_total [1-9]/);
    expect(m.body).toContain('sentiment_queue_length 0');
    expect(m.body).toContain('sentiment_http_request_duration_seconds_bucket');
    expect(m.body).toContain('process_resident_memory_bytes');
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<textarea id="text"');
    const js = await app.inject({ url: '/app.js' });
    expect(js.statusCode).toBe(200);
  });
});

describe('sentimentPlugin in an existing app', () => {
  test('under a prefix, next to the app\'s own routes; /healthz says loading until the predictor is ready', async () => {
    let resolve!: (p: Predictor) => void;
    const pending = new Promise<Predictor>((r) => (resolve = r));
    const app = Fastify({ logger: false });
    app.get('/', async () => 'the app\'s own root');
    await app.register(sentimentPlugin, { predictor: pending, prefix: '/sentiment' });
    try {
      const loading = await app.inject({ url: '/sentiment/healthz' });
      expect(loading.statusCode).toBe(503);
      expect(loading.json()).toEqual({ status: 'loading' });
      const early = await app.inject({ method: 'POST', url: '/sentiment/v1/predict', payload: { text: 'hi' } });
      expect(early.statusCode).toBe(503);
      expect(early.headers['retry-after']).toBe('1');
      const predictor = await createPredictor(tinyBundle('fasttext'));
      resolve(predictor);
      await pending;
      const ok = await app.inject({ url: '/sentiment/healthz' });
      expect(ok.json()).toMatchObject({ status: 'ok' });
      const r = await app.inject({ method: 'POST', url: '/sentiment/v1/predict', payload: { text: 'loved it' } });
      expect(r.statusCode).toBe(200);
      expect((await app.inject({ url: '/' })).body).toBe('the app\'s own root');
      expect((await app.inject({ url: '/sentiment/' })).body).toContain('<textarea');
      await predictor.close();
    } finally {
      await app.close();
    }
  });

  test('a predictor that fails to load: /healthz 503 "failed" with the reason', async () => {
    const app = Fastify({ logger: false });
    const failing = createPredictor('/nonexistent/bundle');
    failing.catch(() => {});
    await app.register(sentimentPlugin, { predictor: failing, metrics: false, page: false });
    await failing.catch(() => {});
    const r = await app.inject({ url: '/healthz' });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toEqual({ status: 'failed', message: expect.stringContaining('config.json is missing') });
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(404);
    await app.close();
  });
});
