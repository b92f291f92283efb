// The cases of packed-sequence.test.ts, run in a child process: one JSON line per case.
import * as nn from '../../../lib/nn';
import { native } from '../../../lib/native';
import { randn, tensor } from '../../../lib/factories';
import { liveTensors, Tensor } from '../../../lib/tensor';

const i64 = (v: number[]): Tensor => tensor(v, { dtype: 'int64' });
type Case = [string, () => Tensor[], RegExp];

// Each returns the tensors it made (freed after the case); the constructor must throw.
const make = (rows: number, sizes: () => Tensor, sorted?: () => Tensor | null, unsorted?: () => Tensor | null) => (): Tensor[] => {
  const parts = [randn([rows, 4]), sizes(), sorted?.() ?? null, unsorted?.() ?? null];
  try {
    new nn.PackedSequence(parts[0] as Tensor, parts[1] as Tensor, parts[2], parts[3]);
  } finally {
    for (const p of parts) p?.dispose();
  }
  return [];
};

const cases: Case[] = [
  ['the issue\'s [2, 0, 1]', make(3, () => i64([2, 0, 1])), /RangeError: Expected batchSizes to be positive and non-increasing but batchSizes\[1\] is 0 after 2/],
  ['a leading 0', make(0, () => i64([0])), /RangeError: .*batchSizes\[0\] is 0/],
  ['a negative size', make(3, () => i64([4, -1])), /RangeError: .*batchSizes\[1\] is -1/],
  ['growing sizes', make(3, () => i64([1, 2])), /RangeError: .*batchSizes\[1\] is 2 after 1/],
  ['sum too small', make(5, () => i64([2, 1])), /RangeError: Expected the batch sizes to add up to data's rows \(5\) but they add up to 3/],
  ['sum too large', make(2, () => i64([2, 2, 1])), /add up to 5/],
  ['empty batchSizes', make(0, () => i64([])), /TypeError: Expected a non-empty 1-D int64 tensor on the CPU for batchSizes/],
  ['float batchSizes', make(3, () => tensor([2, 1])), /TypeError: .*for batchSizes but received 1-D float32/],
  ['int32 batchSizes', make(3, () => tensor([2, 1], { dtype: 'int32' })), /for batchSizes but received 1-D int32/],
  ['2-D batchSizes', make(3, () => tensor([[2, 1]], { dtype: 'int64' })), /for batchSizes but received 2-D/],
  ['sorted not a permutation', make(3, () => i64([2, 1]), () => i64([0, 0])), /RangeError: Expected sortedIndices to be a permutation of 0..1 but sortedIndices\[1\] is 0, a repeat/],
  ['sorted out of range', make(3, () => i64([2, 1]), () => i64([0, 5])), /sortedIndices\[1\] is 5/],
  ['sorted negative', make(3, () => i64([2, 1]), () => i64([-1, 0])), /sortedIndices\[0\] is -1/],
  ['sorted too short', make(3, () => i64([2, 1]), () => i64([0])), /TypeError: Expected a 1-D int64 tensor of 2 elements \(batchSizes\[0\]\) for sortedIndices/],
  ['sorted float', make(3, () => i64([2, 1]), () => tensor([1, 0])), /for sortedIndices but received 1-D float32/],
  ['unsorted not the inverse', make(3, () => i64([3]), () => i64([1, 2, 0]), () => i64([1, 2, 0])), /RangeError: Expected unsortedIndices to be the inverse of sortedIndices/],
  ['unsorted not a permutation', make(3, () => i64([2, 1]), () => i64([1, 0]), () => i64([1, 1])), /unsortedIndices\[1\] is 1, a repeat/],
  ['unsorted without sorted', make(3, () => i64([2, 1]), () => null, () => i64([1, 0])), /TypeError: Expected a Tensor when unsortedIndices is given for sortedIndices/],
  ['data a number', () => { const b = i64([1]); try { new nn.PackedSequence(3 as never, b, null, null); } finally { b.dispose(); } return []; }, /TypeError: Expected a Tensor for data but received number 3/],
  ['data 0-D', make(0, () => i64([1])).bind(null), /add up to|at least 1 dimension/],
];

// The native backstop, reached without the constructor's checks (a PackedSequence is only a shell).
const backstop = (rows: number, sizes: number[], call: 'padPacked' | 'rnnPacked') => (): Tensor[] => {
  const data = randn([rows, 2]);
  const b = i64(sizes);
  const h = randn([1, Math.max(1, sizes[0] ?? 1), 2]);
  const w = [randn([2, 2]), randn([2, 2]), randn([2]), randn([2])];
  try {
    if (call === 'padPacked') native.padPacked(data.handle, b.handle, false, 0, sizes.length);
    else native.rnnPacked('rnn_tanh', data.handle, b.handle, [h.handle], w.map((t) => t.handle), true, 1, 0, false, false);
  } finally {
    for (const t of [data, b, h, ...w]) t.dispose();
  }
  return [];
};
for (const call of ['padPacked', 'rnnPacked'] as const) {
  cases.push([`native ${call} [2, 0, 1]`, backstop(3, [2, 0, 1], call), /TypeError: batchSizes must be positive and non-increasing/]);
  cases.push([`native ${call} [1, 2]`, backstop(3, [1, 2], call), /TypeError: batchSizes must be positive and non-increasing/]);
  cases.push([`native ${call} sum`, backstop(9, [2, 1], call), /TypeError: batchSizes must add up to the packed data's rows/]);
}

for (const [label, run, pattern] of cases) {
  const live = liveTensors();
  let message = '';
  try {
    run();
    message = 'no error';
  } catch (e) {
    message = `${(e as Error).name}: ${(e as Error).message}`;
  }
  console.log(JSON.stringify({ label, ok: pattern.test(message), message, leaked: Math.max(0, liveTensors() - live) }));
}
// A well-formed sequence still round-trips.
const ok = new nn.PackedSequence(randn([3, 4]), i64([2, 1]), i64([1, 0]), null);
const [padded, lengths] = nn.padPackedSequence(ok);
console.log(JSON.stringify({ label: 'valid', ok: padded.shape.join() === '2,2,4' && lengths.toArray().toString() === '1,2', message: '', leaked: 0 }));
