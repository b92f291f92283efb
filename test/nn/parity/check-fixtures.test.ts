// check_fixtures.py (CI's check that the committed fixtures still match live PyTorch) must pass with
// whichever OpenBLAS kernels this process runs (the ones jest's globalSetup or the user's
// OPENBLAS_CORETYPE chose; make_fixtures.py inherits them) and must fail when a committed value is off
// by 1e-4 relative. Needs /usr/bin/python3 with python3-torch, like the interop tests: fails without it.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FIXTURE_DIR, PYTHON } from '../../helpers/parity';

const HERE = __dirname;

function python(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', timeout: 300_000 });
  if (r.error) throw new Error(`cannot run ${PYTHON} (${r.error.message}): the fixture check needs Debian's python3-torch`);
  return { status: r.status, out: r.stdout + r.stderr };
}

let dir: string;
let fresh: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-sentiment-fixtures-'));
  fresh = path.join(dir, 'fresh');
  const r = python([path.join(HERE, 'make_fixtures.py'), fresh]);
  if (r.status !== 0) throw new Error(`make_fixtures.py exited ${r.status}:\n${r.out}`);
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A copy of the committed fixtures with one of them edited by Python code working on `d` (the fixture
 * files are Python's JSON: JavaScript would write 0.0 as 0, which the check rightly reports). Returns the
 * folder and what the code printed.
 */
function editedCopy(name: string, edit: string): { folder: string; printed: string } {
  const folder = path.join(dir, `edited-${name}`);
  fs.cpSync(FIXTURE_DIR, folder, { recursive: true });
  const code = `import json, sys\nf = sys.argv[1]\nd = json.load(open(f))\n${edit}\njson.dump(d, open(f, 'w'), separators=(',', ':'))`;
  const r = python(['-c', code, path.join(folder, `${name}.json`)]);
  if (r.status !== 0) throw new Error(`editing ${name}: ${r.out}`);
  return { folder, printed: r.out.trim() };
}

describe('check_fixtures.py', () => {
  test(`the committed fixtures match PyTorch run with this process's OpenBLAS kernels (${process.env.OPENBLAS_CORETYPE ?? 'OpenBLAS chooses'})`, () => {
    const r = python([path.join(HERE, 'check_fixtures.py'), '--fresh', fresh, '--self-test']);
    console.log(r.out.trim());
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/75 cases \(\d+ values\) in .* match PyTorch/);
    // every expected array's largest value, moved by 1e-4 relative, fails the comparison
    expect(r.out).toMatch(/--self-test: changing a value by 0.0001 relative fails the check for the largest value of each of \d+ expected arrays, and for one value in each of 75 whole fixtures/);
  });

  test('a fixture with one gradient value changed by 1e-4 relative fails the check, naming it', () => {
    // in the gradient whose small entries moved by a few float32 roundings between SkylakeX and Haswell
    // kernels, its largest entry (small entries sit below the roundings of the terms they sum)
    const { folder: copy, printed: index } = editedCopy(
      'lstm_l2_bi_sorted',
      "g = d['expected']['grads'][0][2]\ni = max(range(len(g)), key=lambda i: abs(g[i]))\ng[i] *= 1 + 1e-4\nprint(i)",
    );
    expect(index).toMatch(/^\d+$/);
    const r = python([path.join(HERE, 'check_fixtures.py'), '--fresh', fresh, '--fixtures', copy]);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/1 mismatch\(es\)/);
    expect(r.out).toContain(`lstm_l2_bi_sorted.json.expected.grads[0]<weight_ih_l0>[${index}]`);
  });

  test('a fixture that states a looser tolerance than the generator derives fails the check', () => {
    const { folder: copy } = editedCopy('linear_2d', "d['tolerance']['ulps'] *= 100");
    const r = python([path.join(HERE, 'check_fixtures.py'), '--fresh', fresh, '--fixtures', copy]);
    expect(r.status).toBe(1);
    expect(r.out).toContain('linear_2d.json.tolerance.ulps');
  });
});
