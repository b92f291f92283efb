#!/usr/bin/python3
"""Write the PyTorch reference fixtures of the parity suite (test/nn/parity.test.ts).

    /usr/bin/python3 test/nn/parity/make_fixtures.py [OUT_DIR [CASE ...]]

OUT_DIR defaults to test/fixtures/parity/; check_fixtures.py passes a temporary folder to compare a fresh
run with the committed files. Needs Debian's python3-torch (1.13) at /usr/bin/python3; runs
single-threaded so the numbers do not depend on the machine's cores. The cases live in gen/, one module
per family (gen/common.py: the value formula, the encoding, the stated tolerance):

  embedding, rnn, linear_conv  module cases (Embedding, RNN/LSTM/GRU, Linear, Conv1d, Conv2d): params,
                inputs, forward outputs, the loss sum(out * W) for fixed weights W stored in `lossWeights`,
                every parameter's gradient, and the parameters after 3 steps of SGD(lr=0.1) on the same
                batch (each step: zeroGrad, forward, loss, backward, step), with the loss of each step.
  loss_optim    loss cases (BCEWithLogitsLoss, CrossEntropyLoss; mean/sum/none): output, and the gradient
                of the input (for reduction none the scalar is sum(out * W)); optimizer cases (SGD momentum
                / nesterov + weight decay, Adam with and without weight decay): a Linear(4, 3) model, loss
                sum((out - target)^2), parameters after each of 3 steps.
  models        a small tutorial-2 style model (Embedding -> 2-layer bidirectional LSTM on packed input ->
                Linear, Adam) with stored weights, and the tutorial-1 model Embedding(25002, 100) ->
                RNN(100, 256) -> Linear(256, 1) on one [50, 64] batch, defined by the formula and checked
                through summaries (sum, sum of squares, sum of |x|, values at 64 fixed indices).

One JSON file per case. Tensors are {"shape", "dtype", "data"} with row-major flat data; floats are
written with 9 significant digits, enough to round-trip float32. Each file states the `tolerance`
check_fixtures.py holds it to (gen/common.py says how it is derived) and, in `generator`, the torch
version and the OpenBLAS kernels that made it.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..'))

# The OpenBLAS kernels torch-sentiment runs on this machine (lib/openblas.ts: Debian's OpenBLAS 0.3.21
# falls back to SSE3 kernels on Intel CPUs it does not know), so that both sides compute the same way.
# OpenBLAS reads this once, when torch loads it: it must be set before the import. A value already in
# the environment wins (check_fixtures.py's self-test runs every kernel family this way).
if 'OPENBLAS_CORETYPE' not in os.environ:
    try:
        _core = subprocess.run(['node', os.path.join(HERE, 'openblas-coretype.js')],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        print(f'make_fixtures: could not ask torch-sentiment for its OpenBLAS core type ({e}); OpenBLAS chooses',
              file=sys.stderr)
        _core = ''
    if _core:
        os.environ['OPENBLAS_CORETYPE'] = _core

import torch  # noqa: E402

sys.dont_write_bytecode = True  # no __pycache__ beside the tests

sys.path.insert(0, os.path.join(ROOT, 'bench'))
from blas_info import openblas_core  # noqa: E402
from gen import embedding, linear_conv, loss_optim, models, rnn  # noqa: E402
from gen.common import FORMULA, TOKEN_FORMULA, tolerance  # noqa: E402

# in this order (index.json's): each family's builders, and how long its reductions are
FAMILIES = [embedding, rnn, linear_conv, loss_optim, models]
SCRIPT = os.path.relpath(os.path.abspath(__file__), ROOT)


def make(name, build, family):
    doc = build()
    assert doc['name'] == name, (doc['name'], name)
    doc['tolerance'] = tolerance(family.chain(doc), doc.get('optimizer', {}).get('steps', 1))
    return doc


def main(argv):
    torch.set_num_threads(1)
    # PARITY_DEVICE=cuda computes the references on the GPU with this machine's PyTorch and its defaults
    # (cuDNN may use TF32), for scripts/gpu-check.sh; the committed fixtures are the CPU's.
    device = os.environ.get('PARITY_DEVICE', 'cpu')
    if device != 'cpu':
        torch.set_default_device(device)
    out_dir = argv[1] if len(argv) > 1 else os.path.join(ROOT, 'test', 'fixtures', 'parity')
    only = set(argv[2:])
    os.makedirs(out_dir, exist_ok=True)
    names = []
    for family in FAMILIES:
        for name, build in family.CASES.items():
            if only and name not in only:
                continue
            doc = make(name, build, family)
            doc['generator'] = {'script': SCRIPT, 'torch': torch.__version__, 'openblas': openblas_core(),
                                **({'device': device} if device != 'cpu' else {}),
                                'formula': FORMULA, 'tokenFormula': TOKEN_FORMULA}
            with open(os.path.join(out_dir, f'{name}.json'), 'w') as f:
                json.dump(doc, f, separators=(',', ':'))
                f.write('\n')
            names.append(name)
    if not only:
        with open(os.path.join(out_dir, 'index.json'), 'w') as f:
            json.dump({'cases': names}, f, indent=1)
            f.write('\n')
    print(f'wrote {len(names)} fixtures to {os.path.relpath(out_dir)}')


if __name__ == '__main__':
    main(sys.argv)
