"""Loads an NBSVM bundle's model.pt into PyTorch's nn.EmbeddingBag + nn.Linear (strict) and features.pt,
and prints the logits of the bags given as JSON on stdin ({ids, offsets}: ids are feature ids, the
per-sample weights are the bundle's ratios). Run by test/models/nbsvm.test.ts with /usr/bin/python3.
"""
import json
import sys

import torch


class NBSVM(torch.nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.embedding = torch.nn.EmbeddingBag(num_features, 1, mode="sum")
        self.fc = torch.nn.Linear(1, 1)

    def forward(self, ids, offsets, weights):
        return self.fc(self.embedding(ids, offsets, per_sample_weights=weights))


bundle = sys.argv[1]
state = torch.load(f"{bundle}/model.pt")
features = torch.load(f"{bundle}/features.pt")
model = NBSVM(state["embedding.weight"].shape[0])
model.load_state_dict(state, strict=True)
request = json.load(sys.stdin)
ids = torch.tensor(request["ids"], dtype=torch.int64)
offsets = torch.tensor(request["offsets"], dtype=torch.int64)
with torch.no_grad():
    logits = model(ids, offsets, features["ratios"][ids])
print(json.dumps({"keys": features["keys"].shape[0], "logits": logits.reshape(-1).tolist()}))
