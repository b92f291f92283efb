// state_dict interop with PyTorch: a checkpoint written by Python's torch.save(dict(model.state_dict()))
// loads here and gives PyTorch's outputs; one written by save() loads in Python's torch.load and gives
// ours (test/nn/parity/interop.py checks it); an OrderedDict checkpoint (torch.save(model.state_dict()))
// loads as well. These tests need /usr/bin/python3 with python3-torch and fail (never skip) without it.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { nn, Tensor, manualSeed, noGrad, tidy, save, load } from '../../lib';
import { ParityRecorder, PYTHON, REPO_ROOT, catLastTwo, toTensor, values, FixtureTensor } from '../helpers/parity';

const INTEROP = path.join(REPO_ROOT, 'test', 'nn', 'parity', 'interop.py');

/** Mirrors InteropModel in test/nn/parity/interop.py. */
class InteropModel extends nn.Module {
  embedding: nn.Embedding;
  rnn: nn.LSTM;
  fc: nn.Linear;

  constructor() {
    super();
    this.embedding = new nn.Embedding(20, 6, { paddingIdx: 1 });
    this.rnn = new nn.LSTM(6, 5, { numLayers: 2, bidirectional: true });
    this.fc = new nn.Linear(10, 1);
  }

  forward(text: Tensor): Tensor {
    const [, [hidden]] = this.rnn.forward(this.embedding.forward(text));
    return this.fc.forward(catLastTwo(hidden)).squeeze(1);
  }
}

interface Expected {
  model: 'InteropModel';
  input: FixtureTensor;
  output: FixtureTensor;
  keys: Array<[string, number[]]>;
}

function python(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(PYTHON, [INTEROP, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) {
    throw new Error(
      `cannot run ${PYTHON} (${r.error.message}): the interop tests need Debian's python3-torch ` +
        `(apt-get install python3-torch) or TORCH_SENTIMENT_PYTHON pointing at a Python with torch`,
    );
  }
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function pythonOk(args: string[]): string {
  const r = python(args);
  if (r.status !== 0) throw new Error(`interop.py ${args.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

/** Loads the weights into the model (strict) and checks its output on the fixture's input against PyTorch's. */
function checkOutputs(model: InteropModel, sd: Record<string, Tensor>, expected: Expected, label: string): void {
  model.loadStateDict(sd, { strict: true });
  model.eval();
  const rec = new ParityRecorder(label);
  tidy(() => {
    const out = noGrad(() => model.forward(toTensor(expected.input)));
    rec.checkTensor('output', out, expected.output);
  });
}

let dir: string;

beforeAll(() => {
  if (!fs.existsSync(PYTHON)) {
    throw new Error(`${PYTHON} is missing: the interop tests need Debian's python3-torch (apt-get install python3-torch)`);
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-sentiment-interop-'));
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('state_dict interop with PyTorch', () => {
  test('a state_dict saved by torch.save(dict(...)) loads in Node and gives the same outputs', () => {
    const file = path.join(dir, 'from-python.pt');
    pythonOk(['save', file]);
    const expected = JSON.parse(fs.readFileSync(path.join(dir, 'from-python.json'), 'utf8')) as Expected;

    const sd = load(file);
    const model = new InteropModel();
    try {
      // same keys as PyTorch's state_dict, same shapes, and namedParameters() in PyTorch's order
      expect(Object.keys(sd).sort()).toEqual(expected.keys.map(([k]) => k).sort());
      for (const [key, shape] of expected.keys) expect([key, sd[key].shape]).toEqual([key, shape]);
      expect(model.namedParameters().map(([n]) => n)).toEqual(expected.keys.map(([k]) => k));

      checkOutputs(model, sd, expected, 'interop python->node');
    } finally {
      for (const t of Object.values(sd)) t.dispose();
      model.dispose();
    }
  });

  test('a state_dict saved by Node loads in torch.load and gives the same outputs', () => {
    const file = path.join(dir, 'from-node.pt');
    const expectedFile = path.join(dir, 'from-node.json');
    manualSeed(7);
    const model = new InteropModel();
    try {
      model.eval();
      const input = interopInput();
      const output = tidy(() => {
        const out = noGrad(() => model.forward(toTensor(input)));
        return { shape: out.shape, dtype: 'float32' as const, data: Array.from(values(out)) };
      });
      const sd = model.stateDict(); // the parameters themselves, as in PyTorch: not disposed here
      save(sd, file);
      const keys = Object.entries(sd).map(([k, t]): [string, number[]] => [k, t.shape]);
      const doc: Expected = { model: 'InteropModel', input, output, keys };
      fs.writeFileSync(expectedFile, JSON.stringify(doc));
      const log = pythonOk(['check', file, expectedFile]);
      expect(log).toMatch(/interop check ok/);

      // the check is not vacuous: outputs that PyTorch does not reproduce make it fail
      const wrong = { ...doc, output: { ...output, data: output.data.map((v) => v + 1e-3) } };
      const wrongFile = path.join(dir, 'wrong.json');
      fs.writeFileSync(wrongFile, JSON.stringify(wrong));
      const r = python(['check', file, wrongFile]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/outputs differ/);
    } finally {
      model.dispose();
    }
  });

  test('an OrderedDict checkpoint (torch.save(model.state_dict())) loads like a dict and gives the same outputs', () => {
    const plain = path.join(dir, 'plain.pt');
    const file = path.join(dir, 'ordered.pt');
    pythonOk(['save', plain]);
    pythonOk(['save-ordereddict', file]);
    const expected = JSON.parse(fs.readFileSync(path.join(dir, 'plain.json'), 'utf8')) as Expected;
    const sd = load(file);
    const model = new InteropModel();
    try {
      // PyTorch's order, as the OrderedDict holds it
      expect(Object.keys(sd)).toEqual(expected.keys.map(([k]) => k));
      checkOutputs(model, sd, expected, 'interop python OrderedDict->node');
    } finally {
      for (const t of Object.values(sd)) t.dispose();
      model.dispose();
    }
  });
});

/** [7, 4] token ids in 0..19, the columns padded with 1 after lengths 7, 6, 3, 2 (differs from Python's). */
function interopInput(): FixtureTensor {
  const lengths = [7, 6, 3, 2];
  const data: number[] = [];
  for (let t = 0; t < 7; t++) {
    for (let b = 0; b < 4; b++) data.push(t >= lengths[b] ? 1 : [0, 2, 3, 5, 8, 13, 19][(t + 2 * b) % 7]);
  }
  return { shape: [7, 4], dtype: 'int64', data };
}
