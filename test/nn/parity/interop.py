#!/usr/bin/python3
"""state_dict interop between PyTorch and torch-sentiment (used by test/nn/interop.test.ts).

    /usr/bin/python3 test/nn/parity/interop.py save OUT.pt
        torch.save(dict(model.state_dict()), OUT.pt) for a small model made with torch.manual_seed(0), and
        OUT.json beside it: the fixed input, the model's output on it and the state_dict's keys and shapes.
    /usr/bin/python3 test/nn/parity/interop.py save-ordereddict OUT.pt
        torch.save(model.state_dict(), OUT.pt): an OrderedDict (with its _metadata attribute), which the
        Node loader reads like a dict.
    /usr/bin/python3 test/nn/parity/interop.py check IN.pt EXPECTED.json
        torch.load(IN.pt) (a file written by Node's save()), check it is a dict of tensors with the model's
        keys and shapes, load it into the model with strict=True, run EXPECTED.json's input and compare with
        its output (rtol 1e-5, atol 1e-6). Exit 0 on a match, 1 on a mismatch (with the reason), 2 on
        usage errors.

The model (InteropModel, mirrored in the Node test): Embedding(20, 6, padding_idx=1) -> LSTM(6, 5,
num_layers=2, bidirectional=True) on padded input [seq len, batch] -> cat(h_n[-2], h_n[-1]) ->
Linear(10, 1) -> squeeze(1). Its keys cover the naming rules that must match: embedding.weight,
rnn.weight_ih_l0, rnn.weight_hh_l1_reverse, rnn.bias_ih_l1, fc.weight, fc.bias, ...
EXPECTED.json: {"model": "InteropModel", "input": {"shape", "dtype": "int64", "data"},
"output": {"shape", "dtype": "float32", "data"}, "keys": [[name, shape], ...]}.
"""
import json
import os
import sys
import warnings

import torch
import torch.nn as nn

VOCAB, EMB, HIDDEN, PAD = 20, 6, 5, 1
RTOL, ATOL = 1e-5, 1e-6


class InteropModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, EMB, padding_idx=PAD)
        self.rnn = nn.LSTM(EMB, HIDDEN, num_layers=2, bidirectional=True)
        self.fc = nn.Linear(2 * HIDDEN, 1)

    def forward(self, text):
        _, (hidden, _) = self.rnn(self.embedding(text))
        return self.fc(torch.cat((hidden[-2], hidden[-1]), dim=1)).squeeze(1)


def fixed_input():
    """[7, 4] token ids, columns padded with PAD after lengths 7, 5, 4, 2 (padded input, no packing)."""
    ids = [[(t * 7 + b * 3 + 2) % VOCAB for b in range(4)] for t in range(7)]
    for b, n in enumerate([7, 5, 4, 2]):
        for t in range(7):
            if ids[t][b] == PAD:
                ids[t][b] = 0
            if t >= n:
                ids[t][b] = PAD
    return torch.tensor(ids, dtype=torch.int64)


def enc(t):
    t = t.detach().contiguous()
    data = t.reshape(-1).tolist()
    if t.dtype == torch.float32:
        data = [float(f'{x:.9g}') for x in data]
    return {'shape': list(t.shape), 'dtype': str(t.dtype).replace('torch.', ''), 'data': data}


def make_model():
    torch.manual_seed(0)
    model = InteropModel()
    model.eval()
    return model


def expected_doc(model, text):
    with torch.no_grad():
        out = model(text)
    return {'model': 'InteropModel', 'input': enc(text), 'output': enc(out),
            'keys': [[k, list(v.shape)] for k, v in model.state_dict().items()]}


def cmd_save(out_pt, ordered=False):
    model = make_model()
    state = model.state_dict()
    torch.save(state if ordered else dict(state), out_pt)
    if not ordered:
        out_json = os.path.splitext(out_pt)[0] + '.json'
        with open(out_json, 'w') as f:
            json.dump(expected_doc(model, fixed_input()), f)
        print(f'interop: wrote {out_pt} (dict of {len(state)} tensors) and {out_json}')
    else:
        print(f'interop: wrote {out_pt} (OrderedDict of {len(state)} tensors)')
    return 0


def fail(message):
    print(f'interop check FAILED: {message}', file=sys.stderr)
    return 1


def load_checkpoint(path):
    """torch.load, first with weights_only=True (no code runs) when this torch has it; a file Node wrote
    should need nothing else. Falls back to a plain torch.load with a warning on stderr."""
    try:
        return torch.load(path, map_location='cpu', weights_only=True), True
    except TypeError:  # torch without weights_only
        pass
    except Exception as e:  # noqa: BLE001 - report and retry the way most users load
        print(f'interop: warning: torch.load(weights_only=True) refused {path}: {e}', file=sys.stderr)
    return torch.load(path, map_location='cpu'), False


def cmd_check(in_pt, expected_json):
    with open(expected_json) as f:
        expected = json.load(f)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            state, safe = load_checkpoint(in_pt)
    except Exception as e:  # noqa: BLE001
        return fail(f'torch.load({in_pt!r}) raised {type(e).__name__}: {e}')
    if type(state) is not dict:
        return fail(f'torch.load gave a {type(state).__module__}.{type(state).__name__}, expected a dict')
    model = make_model()
    want = model.state_dict()
    if set(state) != set(want):
        return fail(f'keys differ: missing {sorted(set(want) - set(state))}, unexpected '
                    f'{sorted(set(state) - set(want))}')
    for k, v in state.items():
        if not isinstance(v, torch.Tensor):
            return fail(f'{k} is a {type(v).__name__}, not a tensor')
        if v.dtype != torch.float32:
            return fail(f'{k} has dtype {v.dtype}, expected torch.float32')
        if list(v.shape) != list(want[k].shape):
            return fail(f'{k} has shape {list(v.shape)}, expected {list(want[k].shape)}')
    model.load_state_dict(state, strict=True)
    inp = expected['input']
    text = torch.tensor(inp['data'], dtype=torch.int64).reshape(inp['shape'])
    with torch.no_grad():
        out = model(text)
    exp = torch.tensor(expected['output']['data'], dtype=torch.float32).reshape(expected['output']['shape'])
    if list(out.shape) != list(exp.shape):
        return fail(f'output shape {list(out.shape)} from PyTorch, {list(exp.shape)} from Node')
    diff = (out - exp).abs()
    tol = RTOL * exp.abs() + ATOL
    if not bool((diff <= tol).all()):
        i = int((diff - tol).argmax())
        return fail(f'outputs differ at {i}: PyTorch {out.reshape(-1)[i].item()!r}, Node '
                    f'{exp.reshape(-1)[i].item()!r}; PyTorch {enc(out)["data"]}, Node {enc(exp)["data"]}')
    rel = (diff / exp.abs().clamp_min(ATOL / RTOL)).max().item()
    print(f'interop check ok: {len(state)} tensors loaded by torch.load'
          f'{" (weights_only)" if safe else ""}; outputs match, max rel err {rel:.3g}')
    return 0


def main(argv):
    torch.set_num_threads(1)
    if len(argv) >= 3 and argv[1] == 'save':
        return cmd_save(argv[2])
    if len(argv) >= 3 and argv[1] == 'save-ordereddict':
        return cmd_save(argv[2], ordered=True)
    if len(argv) >= 4 and argv[1] == 'check':
        return cmd_check(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
