#!/usr/bin/python3
"""Real torch.save output for test/reliability/ (Debian's python3-torch: run with /usr/bin/python3).

    make_checkpoints.py write DIR
        DIR/<case>.pt for each case below and DIR/expected.json: for each case, either
        {"tensors": {key path: {"dtype", "shape", "data"}}} (what load() must return) or
        {"refused": code} (the CheckpointError code load() must give).
    make_checkpoints.py check DIR
        Reads the files Node wrote into DIR (listed in DIR/node.json: [file, {name: {dtype, shape, data}}])
        with torch.load(weights_only=True) (and a plain torch.load), or by the safetensors specification
        for *.safetensors (the safetensors package is not in Debian), and compares the values. Also writes
        DIR/spec.safetensors by the specification for Node to read. Exit 1 on a mismatch.
"""
import collections
import json
import os
import struct
import sys

import torch

DTYPES = {'float32': torch.float32, 'float64': torch.float64, 'float16': torch.float16, 'bfloat16': torch.bfloat16,
          'int64': torch.int64, 'int32': torch.int32, 'int16': torch.int16, 'int8': torch.int8,
          'uint8': torch.uint8, 'bool': torch.bool}
ST = {'float32': 'F32', 'float64': 'F64', 'float16': 'F16', 'bfloat16': 'BF16', 'int64': 'I64', 'int32': 'I32',
      'int16': 'I16', 'int8': 'I8', 'uint8': 'U8', 'bool': 'BOOL'}


def enc(t):
    t = t.detach().contiguous()
    data = t.reshape(-1).to(torch.float64 if t.is_floating_point() else torch.int64).tolist()
    return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': data}


def walk(obj, prefix, out):
    if isinstance(obj, torch.Tensor):
        out[prefix] = enc(obj)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            walk(v, f'{prefix}/{k}', out)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            walk(v, f'{prefix}/{i}', out)
    return out


def cases():
    torch.manual_seed(0)
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    yield 'one_key', dict(torch.nn.Linear(3, 2, bias=False).state_dict()), None
    yield 'one_key_ordered', torch.nn.Linear(3, 2, bias=False).state_dict(), None
    yield 'ordered', torch.nn.LSTM(3, 2, num_layers=2).state_dict(), None
    yield 'empty', {}, None
    yield 'nested', {'model': {'fc': {'weight': torch.randn(2, 3)}, 'b': torch.ones(2)}, 'step': 7,
                     'opt': {'state': {0: {'momentum': torch.zeros(3)}}, 'lr': 0.1, 'names': ['a', 'b'], 'none': None,
                             'flag': True, 'pair': (1, 2.5), 'big': 2 ** 60}}, None
    yield 'views', {'t': base.t(), 'row': base[1], 'col': base[:, 2], 'slice': base[1:3, 2:5], 'whole': base,
                    'step': base.reshape(-1)[::5]}, None
    yield 'dtypes', {name: (torch.arange(-3, 4) % 2 == 0 if dt is torch.bool else
                            torch.arange(0, 7, dtype=torch.float64).mul(0.5).to(dt) if dt.is_floating_point else
                            torch.arange(0, 7).mul(3).to(dt)) for name, dt in DTYPES.items()}, None
    yield 'parameter', {'p': torch.nn.Parameter(torch.arange(3.0))}, None
    yield 'proto', {'__proto__': torch.ones(2), 'constructor': torch.zeros(1), 'toString': torch.ones(1)}, None
    yield 'many', {f'k{i}': torch.full((2,), float(i)) for i in range(1500)}, None  # > 1000: several SETITEMS
    yield 'protocol4', {'w': torch.arange(5.0), 'nested': {'x': torch.ones(1)}}, 4
    yield 'complex', {'c': torch.zeros(2, dtype=torch.complex64)}, None
    yield 'qint8', {'q': torch.quantize_per_tensor(torch.ones(3), 0.1, 0, torch.qint8)}, None
    yield 'non_tensor_after_tensors', {'a': torch.ones(2), 'b': torch.ones(3), 'c': torch.ones(4), 'epoch': 3}, None
    yield 'tensor', torch.arange(4.0), None


REFUSED = {'complex': 'ERR_CHECKPOINT_DTYPE', 'qint8': 'ERR_CHECKPOINT_DTYPE'}


def write(out):
    os.makedirs(out, exist_ok=True)
    expected = {}
    for name, obj, protocol in cases():
        path = os.path.join(out, name + '.pt')
        torch.save(obj, path, **({'pickle_protocol': protocol} if protocol else {}))
        expected[name] = {'refused': REFUSED[name]} if name in REFUSED else {'tensors': walk(obj, '', {})}
    # A small model's state dict: the seed of the mutation fuzz.
    torch.manual_seed(1)
    model = torch.nn.ModuleDict({'emb': torch.nn.Embedding(10, 4, padding_idx=1), 'rnn': torch.nn.GRU(4, 3),
                                 'fc': torch.nn.Linear(3, 1)})
    torch.save(model.state_dict(), os.path.join(out, 'model.pt'))
    with open(os.path.join(out, 'expected.json'), 'w') as f:
        json.dump(expected, f)


def read_safetensors(path):
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    by_st = {v: k for k, v in ST.items()}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        b, e = info['data_offsets']
        dt = DTYPES[by_st[info['dtype']]]
        buf = bytearray(data[b:e])
        t = torch.frombuffer(buf, dtype=dt) if len(buf) else torch.empty(0, dtype=dt)
        out[name] = t.reshape(info['shape'])
    return out


def write_safetensors(path, tensors):
    header, chunks, at = {'__metadata__': {'format': 'pt', 'by': 'spec'}}, [], 0
    for name, t in tensors.items():
        b = t.contiguous().view(torch.uint8).numpy().tobytes() if t.numel() else b''
        header[name] = {'dtype': ST[str(t.dtype).replace('torch.', '')], 'shape': list(t.shape), 'data_offsets': [at, at + len(b)]}
        chunks.append(b)
        at += len(b)
    text = json.dumps(header).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(chunks))


def check(out):
    with open(os.path.join(out, 'node.json')) as f:
        files = json.load(f)
    bad = 0
    for name, want in files:
        path = os.path.join(out, name)
        loaded = [read_safetensors(path)] if name.endswith('.safetensors') else [torch.load(path, weights_only=True), torch.load(path)]
        for got in loaded:
            if type(got) is not dict or sorted(got) != sorted(want):
                print(f'{name}: keys {sorted(got)} != {sorted(want)}', file=sys.stderr)
                bad += 1
                continue
            for k, w in want.items():
                if enc(got[k]) != w:
                    print(f'{name}[{k}]: {enc(got[k])} != {w}', file=sys.stderr)
                    bad += 1
    spec = {name: (torch.arange(-3, 4) % 2 == 0 if dt is torch.bool else
                   torch.arange(0, 6, dtype=torch.float64).mul(0.25).to(dt).reshape(2, 3) if dt.is_floating_point else
                   torch.arange(0, 6).mul(5).to(dt).reshape(3, 2)) for name, dt in DTYPES.items()}
    spec['empty'] = torch.zeros(0, 4)
    write_safetensors(os.path.join(out, 'spec.safetensors'), spec)
    with open(os.path.join(out, 'spec.json'), 'w') as f:
        json.dump({k: enc(v) for k, v in spec.items()}, f)
    print(f'checked {len(files)} files written by Node: {bad} mismatches')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    if len(sys.argv) != 3 or sys.argv[1] not in ('write', 'check'):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    (write if sys.argv[1] == 'write' else check)(sys.argv[2])
