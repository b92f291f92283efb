// Checkpoints against real PyTorch (1.13, Debian's python3-torch): every state dict torch.save writes
// loads with its values (one-key and nested dicts, OrderedDicts, views of one storage, every dtype,
// protocol 4, "__proto__" keys); what is refused is refused without leaking; files save() writes load in
// torch.load(weights_only=True); safetensors files are checked against the format's specification.
// Skipped, with the reason printed, where /usr/bin/python3 has no torch.
import * as fs from 'fs';
import * as path from 'path';
import { CheckpointError, Tensor, liveTensors, load, save, tensor, randn } from '../../lib';
import type { DType } from '../../lib/dtype';
import { writeCheckpoint } from '../../lib/checkpoint';
import { dictPickle, floats, python, pythonTorchMissing, tempDir, tensorPickle, torchZip } from './harness';

interface Enc {
  dtype: string;
  shape: number[];
  data: number[];
}
type Expected = Record<string, { tensors: Record<string, Enc> } | { refused: string }>;

const missing = pythonTorchMissing();
if (missing) console.log(`skipping the Python checkpoint tests: ${missing}`);
const suite = missing ? describe.skip : describe;

function enc(t: Tensor): Enc {
  const data = Array.from(t.toTypedArray() as ArrayLike<number | bigint>, (v) => Number(v));
  return { dtype: t.dtype, shape: t.shape, data };
}

/** Every tensor in a loaded value by its path ('/model/fc/weight'), as make_checkpoints.py's walk. */
function walk(value: unknown, prefix: string, out: Record<string, Tensor>): Record<string, Tensor> {
  if (value instanceof Tensor) out[prefix] = value;
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) walk(v, `${prefix}/${k}`, out);
  return out;
}

let dir: string;

suite('checkpoints from and for Python torch', () => {
  let expected: Expected;

  beforeAll(() => {
    dir = tempDir('py-ckpt');
    const r = python(['write', dir]);
    if (r.status !== 0) throw new Error(`make_checkpoints.py write failed:\n${r.out}`);
    expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
  });

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("every state dict torch.save writes loads with PyTorch's values; unsupported dtypes are refused", () => {
    const live = liveTensors();
    const names = Object.keys(expected);
    expect(names).toEqual(expect.arrayContaining(['one_key', 'one_key_ordered', 'nested', 'views', 'dtypes', 'proto', 'protocol4', 'complex', 'qint8']));
    for (const name of names) {
      const file = path.join(dir, `${name}.pt`);
      const want = expected[name];
      if ('refused' in want) {
        expect(() => load(file, { tensorsOnly: false })).toThrow(CheckpointError);
        try {
          load(file);
        } catch (e) {
          expect([name, (e as CheckpointError).code]).toEqual([name, want.refused]);
          expect((e as Error).message).toContain(file);
        }
        continue;
      }
      const value = load(file, { tensorsOnly: false });
      const tensors = walk(value, '', {});
      try {
        expect([name, Object.keys(tensors).sort()]).toEqual([name, Object.keys(want.tensors).sort()]);
        for (const [k, t] of Object.entries(tensors)) expect([name, k, enc(t)]).toEqual([name, k, want.tensors[k]]);
      } finally {
        for (const t of Object.values(tensors)) t.dispose();
      }
    }
    expect(liveTensors()).toBe(live);
  });

  test('a one-key dict and a one-key OrderedDict load as state dicts (formerly "Unknown opcode 0x73")', () => {
    for (const name of ['one_key', 'one_key_ordered']) {
      const sd = load(path.join(dir, `${name}.pt`));
      expect(Object.keys(sd)).toEqual(['weight']);
      expect(sd.weight.shape).toEqual([2, 3]);
      sd.weight.dispose();
    }
  });

  test('nested checkpoints keep their plain values; a flat load names the offending key', () => {
    const file = path.join(dir, 'nested.pt');
    const value = load(file, { tensorsOnly: false }) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      expect(value.step).toBe(7);
      expect(value.opt.lr).toBe(0.1);
      expect(value.opt.names).toEqual(['a', 'b']);
      expect(value.opt.none).toBeNull();
      expect(value.opt.flag).toBe(true);
      expect(value.opt.pair).toEqual([1, 2.5]);
      expect(value.opt.big).toBe(2n ** 60n);
      expect(value.opt.state['0'].momentum).toBeInstanceOf(Tensor);
      expect(value.model.fc.weight.shape).toEqual([2, 3]);
      expect(Object.getPrototypeOf(value.opt)).toBeNull();
    } finally {
      for (const t of Object.values(walk(value, '', {}))) t.dispose();
    }
    expect(() => load(file)).toThrow(/'model' is a dict, not a tensor.*tensorsOnly: false/);
  });

  test('a "__proto__" key is an ordinary key of a null-prototype result', () => {
    const sd = load(path.join(dir, 'proto.pt'));
    try {
      expect(Object.getPrototypeOf(sd)).toBeNull();
      expect(Object.keys(sd)).toEqual(['__proto__', 'constructor', 'toString']);
      expect(sd['__proto__']).toBeInstanceOf(Tensor);
      expect(Array.from(sd['__proto__'].toTypedArray() as Float32Array)).toEqual([1, 1]);
      expect(({} as Record<string, unknown>).constructor).toBe(Object); // nothing global was touched
    } finally {
      for (const t of Object.values(sd)) t.dispose();
    }
  });

  test('a non-tensor after tensors, or a bad storage after good ones, fails without leaking tensors', () => {
    const live = liveTensors();
    expect(() => load(path.join(dir, 'non_tensor_after_tensors.pt'))).toThrow(expect.objectContaining({ code: 'ERR_CHECKPOINT_CONTENT', message: expect.stringMatching(/'epoch' is a number \(3\), not a tensor/) }));
    expect(liveTensors()).toBe(live);
    const file = path.join(dir, 'bad-third.pt');
    const good = (key: string): Buffer => tensorPickle({ key, numel: 4, sizes: [4], strides: [1] });
    fs.writeFileSync(file, torchZip(dictPickle([['a', good('0')], ['b', good('1')], ['c', tensorPickle({ key: '2', numel: 4, sizes: [9], strides: [1] })]]), { '0': floats([1, 2, 3, 4]), '1': floats([1, 2, 3, 4]), '2': floats([1, 2, 3, 4]) }));
    for (const tensorsOnly of [true, false]) {
      expect(() => load(file, { tensorsOnly } as { tensorsOnly: false })).toThrow(expect.objectContaining({ code: 'ERR_CHECKPOINT_STORAGE', message: expect.stringMatching(/tensor 'c'.*reaches element 8 of a storage of 4/) }));
      expect(liveTensors()).toBe(live);
    }
  });

  test('files save() writes load in torch.load and torch.load(weights_only=True); safetensors both ways by the spec', () => {
    const values: Record<string, Tensor> = Object.create(null);
    const dtypes: DType[] = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];
    for (const d of dtypes) values[d] = d === 'bool' ? tensor([true, false, true]) : tensor([0, 1, 2, 3, 4, 5]).mul(d.startsWith('float') || d === 'bfloat16' ? 0.5 : 3).to(d).reshape([2, 3]);
    values.transposed = tensor([0, 1, 2, 3, 4, 5]).reshape([2, 3]).t(); // a non-contiguous view: written contiguous
    values.empty = randn([0, 4]);
    values.scalar = tensor(3.5);
    values['__proto__'] = tensor([7]);
    const want: Record<string, Enc> = Object.create(null);
    for (const [k, t] of Object.entries(values)) want[k] = enc(t);
    const names = Object.keys(values);
    const files: Array<[string, Record<string, Enc>]> = [];
    for (const file of ['node.pt', 'node.safetensors']) {
      save(values, path.join(dir, file));
      files.push([file, want]);
    }
    writeCheckpoint(names, names.map((n) => values[n]), path.join(dir, 'node-zip64.pt'), { forceZip64: true });
    files.push(['node-zip64.pt', want]);
    save({ w: tensor([1, 2]) }, path.join(dir, 'one.pt'));
    files.push(['one.pt', { w: { dtype: 'float32', shape: [2], data: [1, 2] } }]);
    fs.writeFileSync(path.join(dir, 'node.json'), JSON.stringify(files));
    const r = python(['check', dir]);
    expect(r.out).toMatch(/checked 4 files written by Node: 0 mismatches/);
    expect(r.status).toBe(0);

    // The check can fail: a wrong value is reported.
    const wrong = JSON.parse(JSON.stringify(files)) as typeof files;
    wrong[3][1].w.data = [1, 3];
    fs.writeFileSync(path.join(dir, 'node.json'), JSON.stringify(wrong));
    const bad = python(['check', dir]);
    expect(bad.status).toBe(1);
    expect(bad.out).toMatch(/one.pt\[w\]/);

    // Node reads back its own files, zip64 included, and Python's spec-written safetensors.
    for (const file of ['node.pt', 'node.safetensors', 'node-zip64.pt']) {
      const sd = load(path.join(dir, file));
      expect(Object.keys(sd)).toEqual(names);
      for (const k of names) expect([file, k, enc(sd[k])]).toEqual([file, k, want[k]]);
      for (const t of Object.values(sd)) t.dispose();
    }
    const spec = JSON.parse(fs.readFileSync(path.join(dir, 'spec.json'), 'utf8')) as Record<string, Enc>;
    const st = load(path.join(dir, 'spec.safetensors'));
    expect(Object.keys(st).sort()).toEqual(Object.keys(spec).sort());
    for (const [k, t] of Object.entries(st)) expect([k, enc(t)]).toEqual([k, spec[k]]);
    for (const t of [...Object.values(st), ...Object.values(values)]) t.dispose();
  });
});
