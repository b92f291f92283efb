#!/usr/bin/python3
"""Check that the committed parity fixtures still match what PyTorch produces (CI runs this).

    /usr/bin/python3 scripts/parity/check_fixtures.py [--rtol 1e-6] [--atol 1e-7] [--fixtures DIR]

Regenerates every fixture with scripts/parity/make_fixtures.py into a temporary folder, then compares
each JSON file with the committed one: same files, same structure, same strings and integers, and every
float within |fresh - committed| <= rtol * |committed| + atol. A summary's `sum` (the tutorial model's
gradients and parameters) is compared against rtol * absSum + atol, since a sum of mixed signs cancels.
The `generator` block (torch version string) is not compared. Exits 1 listing the first mismatches and the
command that rewrites the fixtures; exits 2 when the generator itself fails.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FIXTURES = os.path.normpath(os.path.join(HERE, '..', '..', 'test', 'fixtures', 'parity'))
IGNORED_KEYS = {'generator'}


class Comparer:
    def __init__(self, rtol, atol):
        self.rtol, self.atol = rtol, atol
        self.problems = []
        self.worst = (0.0, '')  # (|diff| / tolerance, where)

    def fail(self, where, message):
        self.problems.append(f'{where}: {message}')

    def number(self, where, fresh, committed, scale=None):
        scale = abs(committed) if scale is None else scale
        tol = self.rtol * scale + self.atol
        diff = abs(fresh - committed)
        if math.isnan(fresh) != math.isnan(committed) or not diff <= tol:
            if not (math.isnan(fresh) and math.isnan(committed)):
                self.fail(where, f'committed {committed!r}, PyTorch now gives {fresh!r} (|diff| {diff:.3g} > {tol:.3g})')
                return
        if tol > 0 and diff / tol > self.worst[0]:
            self.worst = (diff / tol, where)

    def compare(self, where, fresh, committed):
        if isinstance(committed, bool) or isinstance(fresh, bool):
            if fresh is not committed:
                self.fail(where, f'committed {committed!r}, now {fresh!r}')
        elif isinstance(committed, (int, float)) and isinstance(fresh, (int, float)):
            if isinstance(committed, int) and isinstance(fresh, int):
                if fresh != committed:
                    self.fail(where, f'committed integer {committed}, now {fresh}')
            else:
                self.number(where, float(fresh), float(committed))
        elif isinstance(committed, dict) and isinstance(fresh, dict):
            if set(fresh) != set(committed):
                self.fail(where, f'keys differ: only committed {sorted(set(committed) - set(fresh))}, '
                                 f'only fresh {sorted(set(fresh) - set(committed))}')
                return
            is_summary = {'sum', 'absSum'} <= set(committed)
            for key in committed:
                if key in IGNORED_KEYS:
                    continue
                if is_summary and key == 'sum':
                    self.number(f'{where}.sum', float(fresh['sum']), float(committed['sum']),
                                scale=float(committed['absSum']))
                else:
                    self.compare(f'{where}.{key}', fresh[key], committed[key])
        elif isinstance(committed, list) and isinstance(fresh, list):
            if len(fresh) != len(committed):
                self.fail(where, f'length {len(committed)} committed, {len(fresh)} now')
                return
            for i, (a, b) in enumerate(zip(fresh, committed)):
                self.compare(f'{where}[{i}]', a, b)
        elif type(fresh) is not type(committed):
            self.fail(where, f'committed a {type(committed).__name__}, now a {type(fresh).__name__}')
        elif fresh != committed:
            self.fail(where, f'committed {committed!r}, now {fresh!r}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--rtol', type=float, default=1e-6)
    ap.add_argument('--atol', type=float, default=1e-7)
    ap.add_argument('--fixtures', default=DEFAULT_FIXTURES, help='committed fixture folder')
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix='parity-fixtures-') as tmp:
        gen = subprocess.run([sys.executable, os.path.join(HERE, 'make_fixtures.py'), tmp],
                             capture_output=True, text=True)
        if gen.returncode != 0:
            sys.stderr.write(gen.stdout + gen.stderr)
            sys.stderr.write('check_fixtures: make_fixtures.py failed (is python3-torch installed for '
                             f'{sys.executable}?)\n')
            return 2
        fresh_files = sorted(f for f in os.listdir(tmp) if f.endswith('.json'))
        committed_files = sorted(f for f in os.listdir(args.fixtures) if f.endswith('.json'))
        cmp = Comparer(args.rtol, args.atol)
        missing = sorted(set(fresh_files) - set(committed_files))
        extra = sorted(set(committed_files) - set(fresh_files))
        if missing:
            cmp.fail(args.fixtures, f'fixtures not committed: {", ".join(missing)}')
        if extra:
            cmp.fail(args.fixtures, f'committed fixtures the script no longer writes: {", ".join(extra)}')
        for name in sorted(set(fresh_files) & set(committed_files)):
            with open(os.path.join(tmp, name)) as f:
                fresh = json.load(f)
            with open(os.path.join(args.fixtures, name)) as f:
                committed = json.load(f)
            cmp.compare(name, fresh, committed)

    rel = os.path.relpath(args.fixtures)
    if cmp.problems:
        print(f'check_fixtures: {len(cmp.problems)} mismatch(es) between {rel} and PyTorch '
              f'(rtol {args.rtol:g}, atol {args.atol:g}); first ones:', file=sys.stderr)
        for p in cmp.problems[:25]:
            print('  ' + p, file=sys.stderr)
        print('If PyTorch changed on purpose, rewrite them with: /usr/bin/python3 scripts/parity/make_fixtures.py',
              file=sys.stderr)
        return 1
    worst, where = cmp.worst
    print(f'check_fixtures: {len(fresh_files)} files ({len(fresh_files) - 1} cases + index.json) in {rel} match PyTorch '
          f'(rtol {args.rtol:g}, atol {args.atol:g}; largest |diff|/tolerance {worst:.3g}'
          + (f' at {where}' if where else '') + ')')
    return 0


if __name__ == '__main__':
    sys.exit(main())
