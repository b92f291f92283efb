'use strict';
// A small runner for the compiled test files where Jest cannot travel (the GPU machine has no npm and
// takes 64 MiB of files): describe/test/expect with the matchers this repository's tests use.
// Usage: node --expose-gc scripts/mini-jest.js build/test/tensor/*.test.js
const util = require('util');

const suites = [];
let current = { name: '', tests: [], before: [], after: [], skip: false, children: [] };
const root = current;

function describe(name, fn) {
  const s = { name, tests: [], before: [], after: [], skip: current.skip, children: [] };
  current.children.push(s);
  const parent = current;
  current = s;
  fn();
  current = parent;
}
describe.skip = (name, fn) => {
  const parent = current;
  const s = { name, tests: [], before: [], after: [], skip: true, children: [] };
  parent.children.push(s);
  current = s;
  fn();
  current = parent;
};
function test(name, fn) {
  current.tests.push({ name, fn, skip: current.skip });
}
test.skip = (name, fn) => current.tests.push({ name, fn, skip: true });

const eq = (a, b) => util.isDeepStrictEqual(normalise(a), normalise(b));
function normalise(v) {
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v);
  if (Array.isArray(v)) return v.map(normalise);
  return v;
}
function fail(msg) {
  throw new Error(msg);
}
function show(v) {
  return util.inspect(v, { depth: 4, maxArrayLength: 10 });
}

function matchers(actual, negate) {
  const check = (ok, msg) => {
    if (ok === negate) fail((negate ? 'not: ' : '') + msg);
  };
  const m = {
    toBe: (e) => check(Object.is(actual, e), `expected ${show(actual)} to be ${show(e)}`),
    toEqual: (e) => check(eq(actual, e), `expected ${show(actual)} to equal ${show(e)}`),
    toBeNull: () => check(actual === null, `expected ${show(actual)} to be null`),
    toBeCloseTo: (e, digits = 2) => check(Math.abs(actual - e) < 10 ** -digits / 2, `expected ${actual} to be close to ${e}`),
    toBeGreaterThan: (e) => check(actual > e, `expected ${actual} > ${e}`),
    toBeGreaterThanOrEqual: (e) => check(actual >= e, `expected ${actual} >= ${e}`),
    toBeLessThan: (e) => check(actual < e, `expected ${actual} < ${e}`),
    toBeLessThanOrEqual: (e) => check(actual <= e, `expected ${actual} <= ${e}`),
    toBeInstanceOf: (c) => check(actual instanceof c, `expected an instance of ${c.name}`),
    toMatch: (re) => check(typeof re === 'string' ? String(actual).includes(re) : re.test(String(actual)), `expected ${show(actual)} to match ${re}`),
    toContain: (e) => check(actual.includes(e), `expected ${show(actual)} to contain ${show(e)}`),
    toThrow: (expected) => {
      let threw = false;
      let error;
      try {
        actual();
      } catch (e) {
        threw = true;
        error = e;
      }
      let ok = threw;
      if (threw && expected !== undefined) {
        const msg = error && error.message !== undefined ? error.message : String(error);
        if (typeof expected === 'string') ok = msg.includes(expected);
        else if (expected instanceof RegExp) ok = expected.test(msg);
        else if (typeof expected === 'function') ok = error instanceof expected;
      }
      check(ok, `expected a throw matching ${expected}; ${threw ? `got ${error && error.message}` : 'nothing was thrown'}`);
    },
  };
  return m;
}
function expect(actual) {
  const m = matchers(actual, false);
  m.not = matchers(actual, true);
  return m;
}

Object.assign(global, {
  describe,
  test,
  it: test,
  expect,
  beforeAll: (fn) => current.before.push(fn),
  afterAll: (fn) => current.after.push(fn),
});

async function run(suite, prefix, counts) {
  for (const fn of suite.before) await fn();
  for (const t of suite.tests) {
    const name = `${prefix}${t.name}`;
    if (t.skip) {
      counts.skipped++;
      continue;
    }
    const start = Date.now();
    try {
      await t.fn();
      counts.passed++;
      console.log(`  ok   ${name} (${Date.now() - start} ms)`);
    } catch (e) {
      counts.failed++;
      console.log(`  FAIL ${name}\n       ${String((e && e.stack) || e).split('\n').slice(0, 4).join('\n       ')}`);
    }
  }
  for (const c of suite.children) await run(c, `${prefix}${c.name} > `, counts);
  for (const fn of suite.after) await fn();
}

(async () => {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const file of process.argv.slice(2)) {
    current = { name: '', tests: [], before: [], after: [], skip: false, children: [] };
    const fileRoot = current;
    console.log(file);
    require(require('path').resolve(file));
    await run(fileRoot, '', counts);
  }
  void root;
  void suites;
  console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  process.exit(counts.failed ? 1 : 0);
})();
