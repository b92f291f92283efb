# PyTorch side of bench/native-overhead.ts: per-call time of the same small ops, same libtorch.
# Usage: /usr/bin/python3 bench/native_overhead.py ITERS [WARMUP]
# A server: prints one JSON line of metadata, then for each op name read from stdin runs one timed run
# of that op and prints one JSON line {cpu, wall} (microseconds per call); exits at end of input.
import json, sys, time
import numpy as np
import torch
from blas_info import openblas_core

iters = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
warmup = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
torch.manual_seed(0)
a = torch.randn(64, 256)
b = torch.randn(64, 256)
w = torch.randn(256, 256)
ids = np.arange(300 * 64, dtype=np.int32).reshape(300, 64) % 25002


def from_numpy():
    return torch.from_numpy(ids).to(torch.int64)


def from_tensor():
    return torch.tensor(ids, dtype=torch.int64)


def run(fn, n):
    # One timed run, in process CPU time (steal time on a shared host is not counted) and wall time.
    c0, t0 = time.process_time(), time.perf_counter()
    for _ in range(n):
        fn()
    return {'cpu': (time.process_time() - c0) / n * 1e6, 'wall': (time.perf_counter() - t0) / n * 1e6}


# The faster of the two ways to make an int64 tensor from an int32 array, chosen once after warm-up.
for f in (from_numpy, from_tensor):
    run(f, 1000)
upload = min((from_numpy, from_tensor), key=lambda f: run(f, iters)['cpu'])

OPS = {
    'add 64x256 + 64x256': (lambda: a + b, iters),
    'matmul 64x256 @ 256x256': (lambda: a @ w, max(1, iters // 100)),
    'int64 [300,64] from int32 array': (upload, iters),
}
# Untimed calls of each op before the first timed run, as many as the Node side makes (its warm-up lets
# V8 optimize the JS path; here it only warms the caches).
for fn, n in OPS.values():
    run(fn, warmup)

print(json.dumps({'threads': torch.get_num_threads(), 'version': torch.__version__, 'upload': upload.__name__, 'blas': openblas_core()}), flush=True)
for line in sys.stdin:
    fn, n = OPS[line.strip()]
    print(json.dumps(run(fn, n)), flush=True)
