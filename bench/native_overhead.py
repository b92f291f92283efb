# PyTorch side of bench/native-overhead.ts: per-call time of the same small ops, same libtorch.
# Usage: /usr/bin/python3 bench/native_overhead.py ITERS  -> JSON {op: microseconds per call}
import json, sys, time
import numpy as np
import torch

iters = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
torch.manual_seed(0)
a = torch.randn(64, 256)
b = torch.randn(64, 256)
w = torch.randn(256, 256)
ids = np.arange(300 * 64, dtype=np.int32).reshape(300, 64) % 25002

def per_call(fn, n):
    # Best of 5 runs, in process CPU time (steal time on a shared host is not counted) and wall time.
    for _ in range(min(1000, n)):
        fn()
    best_cpu = best_wall = float('inf')
    for _ in range(5):
        c0, t0 = time.process_time(), time.perf_counter()
        for _ in range(n):
            fn()
        best_cpu = min(best_cpu, (time.process_time() - c0) / n)
        best_wall = min(best_wall, (time.perf_counter() - t0) / n)
    return {'cpu': best_cpu * 1e6, 'wall': best_wall * 1e6}

out = {
    'add 64x256 + 64x256': per_call(lambda: a + b, iters),
    'matmul 64x256 @ 256x256': per_call(lambda: a @ w, iters // 4),
    'int64 [300,64] from int32 array': min(
        per_call(lambda: torch.from_numpy(ids).to(torch.int64), iters),
        per_call(lambda: torch.tensor(ids, dtype=torch.int64), iters),
        key=lambda t: t['cpu'],
    ),
}
out['_threads'] = torch.get_num_threads()
out['_version'] = torch.__version__
print(json.dumps(out))
