// Lifecycle, as better-sqlite3 tests close(): after dispose(), every method and accessor of every
// Module, Optimizer and PackedSequence throws a TorchError naming the object and saying it was disposed.
// The members are found by walking each class's prototype chain, and the classes by walking the nn and
// models exports, so a method or a Module added later is covered without editing this file.
// BucketIterator has no dispose() (it holds no native memory); Batch is covered by data-lifecycle.test.ts.
import * as nn from '../../lib/nn';
import * as models from '../../lib/models';
import { Adam, Optimizer, SGD } from '../../lib/optim';
import { AFTER_DISPOSE } from '../../lib/lifecycle';
import { randn, tensor, zeros } from '../../lib/factories';
import { liveTensors } from '../../lib/tensor';
import { runFamily } from './helpers/family';

type Maker = () => { dispose(): void };

// One way to build each concrete Module class; the test below fails when an exported one is missing.
const modules: Record<string, () => nn.Module> = {
  Linear: () => new nn.Linear(3, 2),
  Embedding: () => new nn.Embedding(5, 3),
  EmbeddingBag: () => new nn.EmbeddingBag(5, 3, { mode: 'sum' }),
  RNN: () => new nn.RNN(3, 4),
  LSTM: () => new nn.LSTM(3, 4),
  GRU: () => new nn.GRU(3, 4),
  Conv1d: () => new nn.Conv1d(2, 3, 2),
  Conv2d: () => new nn.Conv2d(2, 3, 2),
  Dropout: () => new nn.Dropout(0.5),
  BCEWithLogitsLoss: () => new nn.BCEWithLogitsLoss(),
  CrossEntropyLoss: () => new nn.CrossEntropyLoss(),
  MSELoss: () => new nn.MSELoss(),
  ModuleList: () => new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 1)]),
  RNNClassifier: () => new models.RNNClassifier(10, 4, 5, 1),
  LSTMClassifier: () => new models.LSTMClassifier(10, 4, 5, 1, 2, true, 0.5, 1),
  FastText: () => new models.FastText(10, 4, 1, 1),
  CNN: () => new models.CNN(10, 4, 3, [2, 3], 1, 0.5, 1),
  NBSVM: () => new models.NBSVM(10),
};
const ABSTRACT = new Set(['Module', 'RNNBase']);

/** Every method and accessor name on obj's prototype chain that must throw once it is disposed. */
function members(obj: object): PropertyKey[] {
  const out = new Set<PropertyKey>();
  for (let p = Object.getPrototypeOf(obj); p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Reflect.ownKeys(p)) {
      const d = Object.getOwnPropertyDescriptor(p, k) as PropertyDescriptor;
      if (!AFTER_DISPOSE.has(k) && (typeof d.value === 'function' || d.get || d.set)) out.add(k);
    }
  }
  return [...out];
}

function use(obj: Record<PropertyKey, unknown>, key: PropertyKey): unknown {
  const v = obj[key as string]; // an accessor throws here
  if (typeof v !== 'function') return v;
  const arg = zeros([1]);
  try {
    return (v as (...a: unknown[]) => unknown).call(obj, arg, {});
  } finally {
    arg.dispose();
  }
}

function cases(what: string, make: Maker): Array<[string, () => unknown, RegExp]> {
  const probe = make();
  const keys = members(probe);
  probe.dispose();
  expect(keys.length).toBeGreaterThan(0);
  return keys.map((key): [string, () => unknown, RegExp] => [
    `${what}.${String(key)}`,
    () => {
      const obj = make();
      obj.dispose();
      obj.dispose(); // twice is fine
      return use(obj as unknown as Record<PropertyKey, unknown>, key);
    },
    new RegExp(`^TorchError: ${what} has been disposed`),
  ]);
}

test('every exported concrete Module class has a maker here', () => {
  const exported = [...Object.entries(nn), ...Object.entries(models)]
    .filter(([, v]) => typeof v === 'function' && (v === nn.Module || (v as { prototype?: unknown }).prototype instanceof nn.Module))
    .map(([k]) => k)
    .filter((k) => !ABSTRACT.has(k));
  expect(exported.sort()).toEqual(Object.keys(modules).sort());
});

test('Module: every method and accessor after dispose() throws, naming the module', () => {
  const all = Object.entries(modules).flatMap(([name, make]) => cases(name, make));
  const c = runFamily('lifecycle Module', all);
  expect(c.attempts).toBeGreaterThan(16 * 10);
  // Disposing frees every parameter, children's too, and a module stays describable.
  const m = modules.LSTMClassifier();
  const params = m.parameters();
  m.dispose();
  expect(params.every((p) => p.isDisposed)).toBe(true);
  expect(m.isDisposed).toBe(true);
  expect(String(m)).toBe('LSTMClassifier(disposed)');
  // A child disposed first is skipped by its parent's dispose().
  const list = modules.ModuleList() as nn.ModuleList;
  list.at(0).dispose();
  expect(() => list.dispose()).not.toThrow();
});

test('Optimizer: every method and accessor after dispose() throws, naming the optimizer', () => {
  const p = randn([3], { requiresGrad: true });
  const makers: Record<string, Maker> = { SGD: () => new SGD([p], { lr: 0.1, momentum: 0.9 }), Adam: () => new Adam([p]) };
  runFamily('lifecycle Optimizer', Object.entries(makers).flatMap(([name, make]) => cases(name, make)));
  p.dispose();
  expect(Optimizer.prototype).toBeDefined();
});

test("optimizer.step() after its module's dispose() throws, as zeroGrad() does", () => {
  const attempts: Array<[string, () => unknown, RegExp]> = [];
  for (const kind of ['SGD', 'Adam'] as const) {
    for (const call of ['step', 'zeroGrad'] as const) {
      attempts.push([
        `${kind}.${call} after module.dispose()`,
        () => {
          const model = new nn.Linear(3, 1);
          const opt = kind === 'SGD' ? new SGD(model.parameters(), { lr: 0.1 }) : new Adam(model.parameters());
          model.dispose();
          try {
            opt[call]();
          } finally {
            opt.dispose();
          }
        },
        call === 'step' ? new RegExp(`^TorchError: ${kind}\\.step\\(\\): params\\[0\\] has been disposed`) : /disposed/,
      ]);
    }
  }
  runFamily('optimizer after module dispose', attempts);
});

test('PackedSequence: every member after dispose() throws, and its tensors are freed', () => {
  const make = (): nn.PackedSequence => new nn.PackedSequence(randn([3, 2]), tensor([2, 1], { dtype: 'int64' }), tensor([1, 0], { dtype: 'int64' }), null);
  runFamily('lifecycle PackedSequence', cases('PackedSequence', make));
  const live = liveTensors();
  const ps = make(); // the inverse permutation is computed: 4 tensors
  expect(liveTensors()).toBe(live + 4);
  ps.dispose();
  expect(liveTensors()).toBe(live);
  expect(ps.isDisposed).toBe(true);
  expect(() => nn.padPackedSequence(ps)).toThrow(/PackedSequence has been disposed/);
  expect(() => new nn.LSTM(2, 2).forward(ps)).toThrow(/PackedSequence has been disposed/);
});
