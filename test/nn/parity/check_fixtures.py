#!/usr/bin/python3
"""Check that the committed parity fixtures still match what PyTorch produces (CI runs this).

    /usr/bin/python3 test/nn/parity/check_fixtures.py [--fixtures DIR] [--fresh DIR] [--self-test]

Regenerates every fixture with make_fixtures.py into a temporary folder (or reads --fresh DIR, made by
make_fixtures.py beforehand), then compares each JSON file with the committed one: same files, same
structure, the same strings, integers, inputs, weights and stated tolerance exactly, and every float under
`expected` within the tolerance the committed file states:

    |fresh - committed| <= tolerance.ulps * 2**-24 * scale

(gen/common.py derives `ulps` from the case's reduction length and says what `scale` is for each value),
so the check holds whichever OpenBLAS kernels this CPU runs (OPENBLAS_CORETYPE is honoured as set) while
a real change in PyTorch's output fails it. The `generator` block (torch version, kernels) is not
compared. Exits 1 listing the first mismatches and the command that rewrites the fixtures; 2 when the
generator itself fails.

--self-test then changes committed values by 1e-4 relative and requires the check to fail on each: the
largest value of every expected array (compared array by array; except sums that cancel, smaller than
the terms they add, such as a loss of weighted outputs), and one value per fixture (the whole fixture
compared). It exits 1 if any change goes unnoticed.
"""
import argparse
import copy
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..'))
DEFAULT_FIXTURES = os.path.join(ROOT, 'test', 'fixtures', 'parity')
IGNORED_KEYS = {'generator'}
U = 2.0 ** -24
MUTATION = 1e-4  # the relative change --self-test makes, and the coverage line reports on
SUMMARY_KEYS = {'sum', 'sumSq', 'absSum', 'values'}


def expected_values(doc):
    """Every float under doc['expected'] as (path, value, scale, array, set): the scale rule of
    gen/common.py; values of one array share `array`; set(v) writes v in its place in doc."""
    exp = doc['expected']
    out = []
    weighted = None  # sum |output * lossWeight|: the magnitude a weighted-sum loss works at
    if 'lossWeights' in doc and 'outputs' in exp:
        weighted = sum(abs(o * w) for key, t in doc['lossWeights'].items()
                       for o, w in zip(exp['outputs'][key]['data'], t['data']))
    after = {name: s for name, _, s in exp.get('paramsAfterSummary', [])}

    def setter(container, key):
        return lambda v: container.__setitem__(key, v)

    def floats(where, xs, scales):
        for i, (v, s) in enumerate(zip(xs, scales)):
            out.append((f'{where}[{i}]', v, s, where, setter(xs, i)))

    def one(where, container, key, scale):
        out.append((where, container[key], scale, where, setter(container, key)))

    def summary(where, s, after_of=None):
        one(f'{where}.sum', s, 'sum', abs(s['absSum']))
        one(f'{where}.sumSq', s, 'sumSq', abs(s['sumSq']))
        one(f'{where}.absSum', s, 'absSum', abs(s['absSum']))
        if after_of is not None:  # after - before: rounding happens at the parameter's magnitude
            floats(f'{where}.values', s['values'], [abs(a) for a in after_of['values']])
        else:
            m = max((abs(v) for v in s['values']), default=0.0)
            floats(f'{where}.values', s['values'], [m] * len(s['values']))

    def walk(where, container, key):
        x = container[key]
        if isinstance(x, dict) and SUMMARY_KEYS <= set(x):
            summary(where, x)
        elif isinstance(x, dict):
            for k in x:
                if k not in ('shape', 'dtype'):
                    walk(f'{where}.{k}', x, k)
        elif isinstance(x, list) and len(x) == 3 and isinstance(x[0], str):  # [name, shape, data]
            walk(f'{where}<{x[0]}>', x, 2)
        elif isinstance(x, list) and any(isinstance(v, float) for v in x) and \
                all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in x):
            m = max(abs(v) for v in x)
            floats(where, x, [m] * len(x))
        elif isinstance(x, list):
            for i in range(len(x)):
                walk(f'{where}[{i}]', x, i)
        elif isinstance(x, float):
            one(where, container, key, abs(x))

    for key, v in exp.items():
        if key == 'loss' and weighted is not None:
            one(key, exp, key, max(weighted, abs(v)))
        elif key == 'losses' and weighted is not None:
            floats(key, v, [max(weighted, abs(c)) for c in v])
        elif key == 'paramsDeltaSummary':
            for name, _, s in v:
                summary(f'{key}<{name}>', s, after[name])
        else:
            walk(key, exp, key)
    return out


class Comparer:
    def __init__(self):
        self.problems = []
        self.values = 0
        self.worst = (0.0, '')  # (|diff| / tolerance, where)
        self.caught = 0  # values where a MUTATION relative change would exceed the tolerance

    def fail(self, where, message):
        self.problems.append(f'{where}: {message}')

    def exact(self, where, fresh, committed):
        """Structure, strings, integers and floats outside `expected` must be identical."""
        if isinstance(committed, dict) and isinstance(fresh, dict):
            if set(fresh) != set(committed):
                self.fail(where, f'keys differ: only committed {sorted(set(committed) - set(fresh))}, '
                                 f'only fresh {sorted(set(fresh) - set(committed))}')
                return
            for key in committed:
                self.exact(f'{where}.{key}', fresh[key], committed[key])
        elif isinstance(committed, list) and isinstance(fresh, list):
            if len(fresh) != len(committed):
                self.fail(where, f'length {len(committed)} committed, {len(fresh)} now')
                return
            for i, (a, b) in enumerate(zip(fresh, committed)):
                self.exact(f'{where}[{i}]', a, b)
        elif type(fresh) is not type(committed) or fresh != committed:
            self.fail(where, f'committed {committed!r}, now {fresh!r}')

    def case(self, name, fresh, committed):
        if set(fresh) != set(committed):
            self.fail(name, f'keys differ: only committed {sorted(set(committed) - set(fresh))}, '
                            f'only fresh {sorted(set(fresh) - set(committed))}')
            return
        for key in committed:
            if key not in IGNORED_KEYS and key != 'expected':
                self.exact(f'{name}.{key}', fresh[key], committed[key])
        if self.problems:
            return
        ulps = committed['tolerance']['ulps']
        # the same structure, strings and integers; then the floats, each within its tolerance
        skeleton = lambda doc: json.loads(json.dumps(doc['expected']), parse_float=lambda s: 0.0)  # noqa: E731
        self.exact(f'{name}.expected', skeleton(fresh), skeleton(committed))
        if self.problems:
            return
        for (where, c, scale, _, _), (_, f, _, _, _) in zip(expected_values(committed), expected_values(fresh)):
            self.number(f'{name}.expected.{where}', f, c, ulps * U * scale)

    def number(self, where, fresh, committed, tol):
        diff = abs(fresh - committed)
        self.values += 1
        if not diff <= tol:  # NaN fails too
            self.fail(where, f'committed {committed!r}, PyTorch now gives {fresh!r} '
                             f'(|diff| {diff:.3g} > tolerance {tol:.3g})')
            return
        if abs(fresh - committed * (1 + MUTATION)) > tol:
            self.caught += 1
        if tol > 0 and diff / tol > self.worst[0]:
            self.worst = (diff / tol, where)


def load_dir(folder):
    return {f: json.load(open(os.path.join(folder, f))) for f in sorted(os.listdir(folder)) if f.endswith('.json')}


def compare_dirs(fresh, committed):
    cmp = Comparer()
    missing = sorted(set(fresh) - set(committed))
    extra = sorted(set(committed) - set(fresh))
    if missing:
        cmp.fail('fixtures', f'not committed: {", ".join(missing)}')
    if extra:
        cmp.fail('fixtures', f'committed but no longer written: {", ".join(extra)}')
    for name in sorted(set(fresh) & set(committed)):
        if name == 'index.json':
            cmp.exact(name, fresh[name], committed[name])
        else:
            cmp.case(name, fresh[name], committed[name])
    return cmp


def mutated(doc, index):
    """A copy of doc whose expected value number `index` (in expected_values' order) is 1 + MUTATION times larger."""
    doc = copy.deepcopy(doc)
    _, value, _, _, set_value = expected_values(doc)[index]
    set_value(value * (1 + MUTATION))
    return doc


def self_test(fresh, committed):
    """Each change of MUTATION relative must fail the check. Returns (array mutations, fixture mutations,
    arrays exempt because their largest value is a cancelled sum, changes that went unnoticed)."""
    unnoticed = []
    arrays = fixtures = exempt = 0
    for name, doc in committed.items():
        if name == 'index.json':
            continue
        ulps = doc['tolerance']['ulps']
        values = expected_values(doc)
        fresh_values = expected_values(fresh[name])
        largest = {}
        for i, (where, c, scale, array, _) in enumerate(values):
            if array not in largest or abs(c) > abs(values[largest[array]][1]):
                largest[array] = i
        # every array: its largest value changed, compared as the check compares it
        for array, i in largest.items():
            where, c, scale, _, _ = values[i]
            if c == 0 or abs(c) < scale:
                # a sum that cancels (a loss of weighted outputs, a summary's sum): a change far below the
                # magnitude of its terms is within their roundings; the terms themselves are checked
                exempt += 1
                continue
            cmp = Comparer()
            cmp.number(where, fresh_values[i][1], c * (1 + MUTATION), ulps * U * scale)
            arrays += 1
            if not cmp.problems:
                unnoticed.append(f'{name}.expected.{where}')
        # one whole fixture: the largest value of its first expected array, through the full comparison
        first = next(i for a, i in largest.items() if values[i][1] != 0 and abs(values[i][1]) >= values[i][2])
        cmp = Comparer()
        cmp.case(name, fresh[name], mutated(doc, first))
        fixtures += 1
        if len(cmp.problems) != 1 or values[first][0] not in cmp.problems[0]:
            unnoticed.append(f'{name} (whole fixture, {values[first][0]}): {cmp.problems or "passed"}')
    return arrays, fixtures, exempt, unnoticed


def generate(tmp):
    gen = subprocess.run([sys.executable, os.path.join(HERE, 'make_fixtures.py'), tmp], capture_output=True, text=True)
    if gen.returncode != 0:
        sys.stderr.write(gen.stdout + gen.stderr)
        if gen.returncode < 0:
            import signal
            sig = signal.Signals(-gen.returncode).name
            why = ''
            if sig == 'SIGILL' and os.environ.get('OPENBLAS_CORETYPE'):
                why = f': OPENBLAS_CORETYPE={os.environ["OPENBLAS_CORETYPE"]} forces kernels with instructions this CPU lacks'
            sys.stderr.write(f'check_fixtures: make_fixtures.py was killed by {sig}{why}\n')
        else:
            sys.stderr.write(f'check_fixtures: make_fixtures.py failed (is python3-torch installed for {sys.executable}?)\n')
        return False
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--fixtures', default=DEFAULT_FIXTURES, help='committed fixture folder')
    ap.add_argument('--fresh', help='a folder make_fixtures.py wrote (default: generate one now)')
    ap.add_argument('--self-test', action='store_true', help='then require 1e-4 relative changes to fail')
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix='parity-fixtures-') as tmp:
        if args.fresh is None and not generate(tmp):
            return 2
        fresh = load_dir(args.fresh or tmp)
    committed = load_dir(args.fixtures)
    cmp = compare_dirs(fresh, committed)
    rel = os.path.relpath(args.fixtures)
    kernels = sorted({str(d.get('generator', {}).get('openblas')) for n, d in fresh.items() if n != 'index.json'})
    made_with = sorted({str(d.get('generator', {}).get('openblas')) for n, d in committed.items() if n != 'index.json'})
    if cmp.problems:
        print(f'check_fixtures: {len(cmp.problems)} mismatch(es) between {rel} and PyTorch (OpenBLAS {", ".join(kernels)} '
              'here); first ones:', file=sys.stderr)
        for p in cmp.problems[:25]:
            print('  ' + p, file=sys.stderr)
        print('If PyTorch changed on purpose, rewrite them with: /usr/bin/python3 test/nn/parity/make_fixtures.py',
              file=sys.stderr)
        return 1
    worst, where = cmp.worst
    ulps = [d['tolerance']['ulps'] for n, d in committed.items() if n != 'index.json']
    print(f'check_fixtures: {len(fresh) - 1} cases ({cmp.values} values) in {rel} match PyTorch run with OpenBLAS '
          f'{", ".join(kernels)} kernels (fixtures made with {", ".join(made_with)}); tolerance {min(ulps)}-{max(ulps)} '
          f'float32 ulps of each value\'s scale; largest |diff|/tolerance {worst:.3g}' + (f' at {where}' if where else ''))
    print(f'check_fixtures: a {MUTATION:g} relative change is outside the tolerance for {cmp.caught} of {cmp.values} '
          f'values ({100 * cmp.caught / max(1, cmp.values):.1f}%; the rest sit far below their scale, where float32 '
          'roundings of the larger terms they come from are that large)')
    if args.self_test:
        arrays, fixtures, exempt, unnoticed = self_test(fresh, committed)
        if unnoticed:
            print(f'check_fixtures --self-test: {len(unnoticed)} change(s) of {MUTATION:g} relative went unnoticed:',
                  file=sys.stderr)
            for u in unnoticed[:25]:
                print('  ' + u, file=sys.stderr)
            return 1
        print(f'check_fixtures --self-test: changing a value by {MUTATION:g} relative fails the check for the largest '
              f'value of each of {arrays} expected arrays, and for one value in each of {fixtures} whole fixtures '
              f'({exempt} sums that cancel, smaller than the terms they add, not changed)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
