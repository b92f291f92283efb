"""Writes embedding-bag.json beside it: PyTorch's nn.EmbeddingBag on small cases (outputs, weight
gradient, per-sample-weight gradient) for test/nn/embedding-bag.test.ts.

    /usr/bin/python3 test/nn/embedding_bag_reference.py   # PyTorch 1.13.1
"""
import json
import os

import torch

torch.manual_seed(0)
CASES = [
    # name, mode, input (1-d with offsets, or 2-d), offsets, per-sample weights?, include_last_offset, padding_idx
    ("sum_offsets", "sum", [1, 2, 4, 5, 4, 3, 2, 9], [0, 3, 3, 5], False, False, None),  # bag 1 is empty
    ("sum_weights", "sum", [1, 2, 4, 5, 4, 3, 2, 9], [0, 2, 5], True, False, None),
    ("mean_offsets", "mean", [1, 2, 4, 5, 4, 3, 2, 9], [0, 3, 3, 5], False, False, None),
    ("max_offsets", "max", [1, 2, 4, 5, 4, 3, 2, 9], [0, 3, 5], False, False, None),
    ("sum_2d_weights", "sum", [[1, 2, 3], [4, 4, 0]], None, True, False, None),
    ("mean_2d", "mean", [[1, 2, 3], [4, 4, 0]], None, False, False, None),
    ("sum_last_offset", "sum", [1, 2, 4, 5, 4, 3], [0, 2, 6], False, True, None),
    ("mean_padding", "mean", [1, 0, 4, 0, 0, 3], [0, 3, 4], False, False, 0),  # bag 1 is only padding
    ("sum_weights_padding", "sum", [1, 0, 4, 0, 3], [0, 3], True, False, 0),
]

out = []
for name, mode, inp, offsets, weighted, last, pad in CASES:
    bag = torch.nn.EmbeddingBag(10, 4, mode=mode, include_last_offset=last, padding_idx=pad)
    x = torch.tensor(inp, dtype=torch.int64)
    o = None if offsets is None else torch.tensor(offsets, dtype=torch.int64)
    w = torch.randn(x.shape, requires_grad=True) if weighted else None
    y = bag(x, o, per_sample_weights=w)
    g = torch.randn(y.shape)
    (y * g).sum().backward()
    out.append({
        "name": name, "mode": mode, "input": inp, "offsets": offsets, "includeLastOffset": last, "paddingIdx": pad,
        "weight": bag.weight.detach().tolist(),
        "perSampleWeights": None if w is None else w.detach().tolist(),
        "upstream": g.tolist(),
        "output": y.detach().tolist(),
        "weightGrad": bag.weight.grad.tolist(),
        "perSampleWeightsGrad": None if w is None else w.grad.tolist(),
    })

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "embedding-bag.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "cases": out}, f, indent=1)
print(f"wrote {len(out)} cases to {path}")
