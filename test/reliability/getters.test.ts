// Arguments read through getters (issue 12): index() and indexPut_() read every spec, and factories
// and ops every option and list element, once and before resolving a tensor handle. A getter that
// disposes the receiver and lets a new tensor take its slot gets a "disposed" error, never the other
// tensor's data; a getter that changes its answer cannot hand native code an unchecked value.
import { ones, tensor, zeros } from '../../lib/factories';
import { Tensor } from '../../lib/tensor';
import { runFamily } from './helpers/family';

test('getters that dispose the receiver (and refill its slot) are refused, never read another tensor', () => {
  const others: Tensor[] = [];
  const evil = (victim: () => Tensor) => {
    let calls = 0;
    return {
      get start() {
        calls++;
        victim().dispose();
        others.push(ones([3, 3]).mul_(7)); // takes the freed slot
        return calls > 1 ? 2 ** 40 : 0; // a second read would get an unchecked value
      },
      stop: 2,
    };
  };
  const cases: Array<[string, () => unknown, RegExp]> = [];
  const receiverCases: Array<[string, (x: Tensor, spec: object) => unknown]> = [
    ['index(slice)', (x, s) => x.index(s as never)],
    ['index(null, slice)', (x, s) => x.index(null, s as never)],
    ['index(0, slice)', (x, s) => x.index(0, s as never)],
    ['indexPut_([slice], 1)', (x, s) => x.indexPut_([s as never], 1)],
    [
      'indexPut_([slice], tensor)',
      (x, s) => {
        const v = zeros([1]);
        try {
          return x.indexPut_([s as never], v);
        } finally {
          v.dispose();
        }
      },
    ],
  ];
  for (const [label, call] of receiverCases) {
    cases.push([
      label,
      () => {
        const x = tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
        try {
          const r = call(x, evil(() => x));
          // Reaching here means the op ran: it must not have read the tensor that took the slot.
          if (r instanceof Tensor && r !== x && (r.toArray() as number[][]).flat().includes(7)) throw new Error('index() returned the other tensor\'s data');
          return r;
        } finally {
          x.dispose();
        }
      },
      /TorchError: Tensor has been disposed/,
    ]);
  }
  // An index array whose element getter disposes the receiver.
  cases.push([
    'view([getter])',
    () => {
      const x = tensor([1, 2, 3, 4]);
      const shape = [2, 2];
      Object.defineProperty(shape, 1, { get: () => (x.dispose(), others.push(ones([4])), 2) });
      return x.view(shape);
    },
    // The handle was read first here, so native code finds it stale: refused all the same.
    /TorchError: (Tensor has been disposed|self is a disposed tensor)/,
  ]);
  // Options objects whose getters dispose an argument.
  cases.push([
    'to({dtype getter})',
    () => {
      const x = tensor([1, 2]);
      return x.to({ get dtype() { x.dispose(); others.push(ones([2])); return 'float64'; } } as never);
    },
    /TorchError: Tensor has been disposed/,
  ]);
  cases.push([
    'backward(g, {retainGraph getter})',
    () => {
      const x = tensor([1, 2], { requiresGrad: true });
      const y = x.mul(2);
      const g = ones([2]);
      try {
        return y.backward(g, { get retainGraph() { g.dispose(); y.dispose(); others.push(ones([2])); return false; } });
      } finally {
        x.dispose();
        y.dispose();
      }
    },
    /TorchError: Tensor has been disposed/,
  ]);
  // What took the freed slots must be untouched; each case frees it again, so nothing counts as a leak.
  let untouched = 0;
  const wrapped = cases.map(([label, run, pattern]): [string, () => unknown, RegExp] => [
    label,
    () => {
      const from = others.length;
      try {
        return run();
      } finally {
        for (const o of others.slice(from)) {
          if (!o.isDisposed) untouched++;
          o.dispose();
        }
      }
    },
    pattern,
  ]);
  runFamily('argument getters', wrapped);
  expect(untouched).toBe(others.length);
  expect(others.length).toBeGreaterThanOrEqual(cases.length);
});

test('a getter is read once: the value checked is the value used', () => {
  const x = tensor([1, 2, 3, 4]);
  let reads = 0;
  const spec = { get start() { reads++; return reads === 1 ? 1 : 2 ** 40; }, stop: 3 };
  expect(x.index(spec as never).toArray()).toEqual([2, 3]);
  expect(reads).toBe(1);
  x.dispose();
});
