// Dataset.split: deterministic for a seed, disjoint, torchtext's sizes.
import { Dataset, RandomGenerator } from '../../lib/data';

function numbered(n: number, labels = ['neg', 'pos']) {
  return new Dataset(Array.from({ length: n }, (_, i) => ({ id: i, label: labels[i % labels.length] })), {});
}

describe('Dataset.split', () => {
  const data = numbered(25000);

  test('0.7 of 25,000 gives 17,500 / 7,500 with no example in both', () => {
    const [train, valid] = data.split({ ratio: 0.7, seed: 1234 });
    expect(train.length).toBe(17500);
    expect(valid.length).toBe(7500);
    const ids = new Set(train.examples.map((e) => e.id));
    expect(valid.examples.some((e) => ids.has(e.id))).toBe(false);
    expect(new Set([...ids, ...valid.examples.map((e) => e.id)]).size).toBe(25000);
  });

  test('same seed, same split; other seed, other split', () => {
    const a = data.split({ ratio: 0.7, seed: 42 })[1].examples.map((e) => e.id);
    const b = data.split({ ratio: 0.7, seed: 42 })[1].examples.map((e) => e.id);
    const c = data.split({ ratio: 0.7, seed: 43 })[1].examples.map((e) => e.id);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    // shuffled, not a prefix
    expect(a.slice(0, 10)).not.toEqual(a.slice(0, 10).sort((x, y) => x - y));
  });

  test('three-way ratios return [train, valid, test] as torchtext does', () => {
    const [train, valid, test] = numbered(100).split({ ratio: [0.8, 0.1, 0.1], seed: 1 });
    expect([train.length, valid.length, test.length]).toEqual([80, 10, 10]);
    const [tr2, te2] = numbered(10).split({ ratio: [3, 1], seed: 1 });
    expect([tr2.length, te2.length]).toEqual([8, 2]); // round(7.5) = 8 (half to even)
  });

  test('stratified keeps each label share', () => {
    const [train, valid] = numbered(1000).split({ ratio: 0.7, seed: 3, stratified: true });
    expect(train.examples.filter((e) => e.label === 'pos').length).toBe(350);
    expect(valid.examples.filter((e) => e.label === 'neg').length).toBe(150);
  });

  test('the sortKey is carried to the parts', () => {
    const ds = new Dataset([{ text: ['a'] }, { text: ['a', 'b'] }], {}, { sortKey: (e) => e.text.length });
    for (const part of ds.split({ ratio: 0.5, seed: 0 })) expect(part.sortKey).toBe(ds.sortKey);
  });

  test('bad ratios name the parameter', () => {
    expect(() => data.split({ ratio: 1.5 })).toThrow(/Expected a number strictly between 0 and 1 for options\.ratio but received number 1\.5/);
    expect(() => data.split({ ratio: [1] })).toThrow(/options\.ratio/);
  });
});

describe('RandomGenerator', () => {
  test('deterministic, in [0, 1), and permutations are permutations', () => {
    const a = new RandomGenerator(9);
    const b = new RandomGenerator(9);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const p = new RandomGenerator(1).permutation(500);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });
  test('rejects bad seeds', () => {
    expect(() => new RandomGenerator(-1)).toThrow(/Expected an integer in \[0, 4294967295\] for seed but received number -1/);
  });
});
