// The demo page in a real browser: Debian's Chromium driven by playwright-core types a review and reads
// the label, the probability bar and (FastText) the word colours. Skipped, with the reason printed,
// where no Chromium is installed (scripts/setup.sh installs it).
import * as fs from 'fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { createPredictor, startServer } from '../../lib/serve';
import type { RunningServer } from '../../lib/serve';
import { tinyBundle } from './helpers/bundles';

const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
if (!CHROMIUM) console.log('test/serve/page.test.ts skipped: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');
const maybe = CHROMIUM ? describe : describe.skip;

maybe('the demo page in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startServer({ modelDir: tinyBundle('fasttext'), port: 0, handleSignals: false, logger: false });
    await server.ready;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('typing a review shows the same label and probability as the predictor, and colours the words', async () => {
    const page = await browser.newPage();
    await page.goto(server.url + '/');
    // Page-side code as strings: the tests compile without the DOM's types.
    await page.waitForFunction("document.getElementById('model').textContent.startsWith('Model: fasttext')");
    const review = 'superb acting , a wonderful film . loved it';
    await page.locator('#text').pressSequentially(review, { delay: 5 });
    await page.waitForFunction("document.getElementById('label').textContent !== '–' && document.querySelectorAll('#words span').length > 0");
    const label = await page.locator('#label').textContent();
    const shown = await page.locator('#probability').textContent();
    const words = await page.locator('#words span').allTextContents();
    const predictor = await createPredictor(tinyBundle('fasttext'));
    const expected = await predictor.predict(review);
    await predictor.close();
    expect(label).toBe(expected.label);
    expect(shown).toBe(`${(expected.probability * 100).toFixed(1)}%`);
    expect(words).toEqual(['superb', 'acting', ',', 'a', 'wonderful', 'film', '.', 'loved', 'it']);
    const width = await page.evaluate("document.getElementById('fill').style.width");
    // The page sets one decimal; CSS drops a trailing zero when it reads the width back ('46.0%' -> '46%').
    expect(width).toMatch(/^[\d.]+%$/);
    expect(parseFloat(width as string)).toBeCloseTo(expected.probability * 100, 1);
    // Clearing the box clears the answer.
    await page.locator('#text').fill('');
    await page.locator('#text').dispatchEvent('input');
    await page.waitForFunction("document.getElementById('label').textContent === '–'");
    await page.close();
  });
});
