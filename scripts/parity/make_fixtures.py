#!/usr/bin/python3
"""Write the PyTorch reference fixtures of the parity suite (issue 3).

    /usr/bin/python3 scripts/parity/make_fixtures.py [OUT_DIR]

OUT_DIR defaults to test/fixtures/parity/ (beside this repository's tests); scripts/parity/check_fixtures.py
passes a temporary folder to compare a fresh run with the committed files. Needs Debian's python3-torch
(1.13) at /usr/bin/python3; runs single-threaded so the numbers do not depend on the machine's cores.

Determinism: nothing here draws from torch's (or any) random number generator. Every weight, input,
token id and loss weight comes from one integer formula that JavaScript can reproduce exactly:

    u(i, k) = ((i * 2654435761 + k * 97) % 1000003) / 1000003 - 0.5      (i: flat index, k: a stream id)
    value   = float32(u(i, k) * scale)

computed in double precision (i * 2654435761 stays below 2**53 for i < 3,393,000, so plain JS numbers are
exact; use Math.fround for the final float32 rounding), with integer token ids taken as
((i * 2654435761 + k * 97) % 1000003) % vocab. The small cases still store every weight and input in
their JSON; only the tutorial model (2,592,105 parameters) stores the formula's (k, scale) per parameter.

One JSON file per case. Tensors are {"shape", "dtype", "data"} with row-major flat data; floats are
written with 9 significant digits, enough to round-trip float32. Cases:

  module cases  (Embedding, RNN/LSTM/GRU, Linear, Conv1d, Conv2d): params, inputs, forward outputs, the
                loss sum(out * W) for fixed weights W stored in `lossWeights`, every parameter's gradient,
                and the parameters after 3 steps of SGD(lr=0.1) on the same batch (each step: zeroGrad,
                forward, loss, backward, step), with the loss of each step.
  loss cases    (BCEWithLogitsLoss, CrossEntropyLoss; mean/sum/none): output, and the gradient of the input
                (for reduction none the scalar is sum(out * W)).
  optim cases   (SGD momentum / nesterov + weight decay, Adam with and without weight decay): a Linear(4, 3)
                model, loss sum((out - target)^2), parameters after each of 3 steps.
  model cases   a small tutorial-2 style model (Embedding -> 2-layer bidirectional LSTM on packed input ->
                Linear, Adam) with stored weights, and the tutorial-1 model Embedding(25002, 100) ->
                RNN(100, 256) -> Linear(256, 1) on one [50, 64] batch, defined by the formula and checked
                through summaries (sum, sum of squares, sum of |x|, values at 64 fixed indices).
"""
import json
import math
import os
import subprocess
import sys

# The OpenBLAS kernels torch-sentiment runs on this machine (lib/openblas.ts: Debian's OpenBLAS 0.3.21
# falls back to SSE3 kernels on Intel CPUs it does not know), so that both sides compute the same way.
# OpenBLAS reads this once, when torch loads it: it must be set before the import.
if 'OPENBLAS_CORETYPE' not in os.environ:
    try:
        _core = subprocess.run(['node', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'openblas-coretype.js')],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        print(f'make_fixtures: could not ask torch-sentiment for its OpenBLAS core type ({e}); OpenBLAS chooses', file=sys.stderr)
        _core = ''
    if _core:
        os.environ['OPENBLAS_CORETYPE'] = _core

import torch
import torch.nn as nn
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'bench'))
from blas_info import openblas_core  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

HASH_MUL = 2654435761
HASH_MOD = 1000003
HASH_K = 97
FORMULA = ('value(i, k, scale) = Math.fround((((i * 2654435761 + k * 97) % 1000003) / 1000003 - 0.5) * scale), '
           'computed in double precision; i is the flat (row-major) index into the parameter, k its stream id')
TOKEN_FORMULA = 'id(i, k, vocab) = ((i * 2654435761 + k * 97) % 1000003) % vocab'

SEQ_LEN, BATCH, INPUT, HIDDEN = 7, 3, 4, 5
SGD_LR = 0.1
STEPS = 3


# ---------------------------------------------------------------- deterministic values

def hash_ints(n, k):
    """The integer part of the formula for i = 0..n-1, exact (int64 never overflows: n < 3.39e6)."""
    i = torch.arange(n, dtype=torch.int64)
    return (i * HASH_MUL + k * HASH_K) % HASH_MOD


def formula(shape, k, scale):
    """float32 tensor of `shape` from the formula: double arithmetic as in JS, then one float32 rounding."""
    n = math.prod(shape)
    u = hash_ints(n, k).to(torch.float64) / float(HASH_MOD) - 0.5
    return (u * scale).to(torch.float32).reshape(shape)


def token_ids(shape, k, vocab):
    return (hash_ints(math.prod(shape), k) % vocab).reshape(shape)


def set_params_by_formula(module, k0=0, scale=None):
    """Overwrite every parameter in state_dict order; parameter number p uses stream k0 + p and the
    given scale (default 2 / sqrt(fan_in), i.e. roughly PyTorch's default init range)."""
    specs = []
    with torch.no_grad():
        for p_index, (name, p) in enumerate(module.named_parameters()):
            if scale is None:
                fan_in = p.shape[1] if p.dim() > 1 else p.shape[0]
                if p.dim() > 2:
                    fan_in = math.prod(p.shape[1:])
                s = round(2.0 / math.sqrt(fan_in), 6)
            else:
                s = scale
            k = k0 + p_index
            p.copy_(formula(list(p.shape), k, s))
            specs.append([name, list(p.shape), k, s])
    return specs


# ---------------------------------------------------------------- JSON encoding

def f32(x):
    return float(f'{x:.9g}')


def enc(t):
    """A tensor as {"shape", "dtype", "data"} (float32 data rounded to 9 significant digits)."""
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.float32:
        data = [f32(x) for x in t.reshape(-1).tolist()]
        dtype = 'float32'
    elif t.dtype == torch.int64:
        data = [int(x) for x in t.reshape(-1).tolist()]
        dtype = 'int64'
    else:
        raise TypeError(f'unsupported dtype {t.dtype}')
    return {'shape': list(t.shape), 'dtype': dtype, 'data': data}


def enc_named(pairs):
    return [[name, list(t.shape), enc(t)['data']] for name, t in pairs]


def enc_params(module):
    return enc_named(module.named_parameters())


def enc_grads(module):
    out = []
    for name, p in module.named_parameters():
        g = p.grad if p.grad is not None else torch.zeros_like(p)
        out.append([name, list(p.shape), enc(g)['data']])
    return out


# ---------------------------------------------------------------- training loop shared by the cases

def run_steps(module, loss_fn, optimizer, steps=STEPS):
    """zeroGrad, forward + loss, backward, (record first forward/grads), step; `steps` times."""
    first = None
    losses = []
    for step in range(steps):
        optimizer.zero_grad()
        loss, outputs = loss_fn()
        loss.backward()
        losses.append(f32(loss.item()))
        if step == 0:
            first = {'outputs': outputs, 'loss': f32(loss.item()), 'grads': enc_grads(module)}
        optimizer.step()
    return first, losses


def weighted_sum(pairs):
    """sum_j sum(t_j * w_j): the scalar a module case backpropagates."""
    total = None
    for t, w in pairs:
        term = (t * w).sum()
        total = term if total is None else total + term
    return total


# ---------------------------------------------------------------- cases

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def module_case(name, description, module, config, inputs, forward, k_loss, extra=None):
    """Shared shape of a module case: `forward()` returns a dict of named output tensors; the loss is
    sum_j sum(out_j * W_j) with W_j from the formula (stream k_loss + j, scale 2)."""
    params0 = enc_params(module)
    with torch.no_grad():
        shapes = {key: list(t.shape) for key, t in forward().items()}
    lw = {key: formula(shape, k_loss + j, 2.0) for j, (key, shape) in enumerate(shapes.items())}

    def loss_fn():
        outs = forward()
        return weighted_sum([(outs[key], lw[key]) for key in lw]), outs

    opt = torch.optim.SGD(module.parameters(), lr=SGD_LR)
    first, losses = run_steps(module, loss_fn, opt)
    doc = {
        'name': name,
        'kind': 'module',
        'description': description,
        'config': config,
        'params': params0,
        'inputs': inputs,
        'lossWeights': {key: enc(w) for key, w in lw.items()},
        'lossDefinition': 'sum over the keys of lossWeights of sum(output[key] * lossWeights[key])',
        'optimizer': {'kind': 'SGD', 'lr': SGD_LR, 'steps': STEPS},
        'expected': {
            'outputs': {key: enc(t) for key, t in first['outputs'].items()},
            'loss': first['loss'],
            'grads': first['grads'],
            'losses': losses,
            'paramsAfter': enc_params(module),
        },
    }
    if extra:
        doc.update(extra)
    return doc


@case
def embedding_padding_idx():
    m = nn.Embedding(20, 6, padding_idx=1)
    set_params_by_formula(m, k0=10, scale=2.0)
    ids = token_ids([SEQ_LEN, BATCH], 11, 20)
    ids[5:, 1] = 1  # trailing padding in column 1 and 2, as a padded batch would have
    ids[3:, 2] = 1
    ids[0, 0] = 1
    return module_case(
        'embedding_padding_idx', 'Embedding(20, 6, paddingIdx=1) on [7, 3] ids with padding; the padding row '
        'keeps its (nonzero) loaded value in the output, but its gradient is zero and SGD leaves it unchanged',
        m, {'module': 'Embedding', 'args': [20, 6], 'options': {'paddingIdx': 1}},
        {'ids': enc(ids)}, lambda: {'output': m(ids)}, 12)


@case
def embedding_plain():
    m = nn.Embedding(20, 6)
    set_params_by_formula(m, k0=20, scale=2.0)
    ids = token_ids([4, 5], 21, 20)
    ids[0, 0] = ids[1, 1] = 3  # a repeated id: gradients accumulate
    return module_case(
        'embedding_plain', 'Embedding(20, 6) on [4, 5] ids with a repeated id (gradient rows accumulate)',
        m, {'module': 'Embedding', 'args': [20, 6], 'options': {}},
        {'ids': enc(ids)}, lambda: {'output': m(ids)}, 22)


RNN_CLASSES = {'RNN': nn.RNN, 'LSTM': nn.LSTM, 'GRU': nn.GRU}


def recurrent_case(name, kind, num_layers=1, bidirectional=False, mode='padded', with_state=False,
                   batch_first=False, nonlinearity='tanh', bias=True, lengths=(4, 7, 2), seq_len=SEQ_LEN):
    """mode: 'padded' (plain tensor), 'packed' (pack_padded_sequence(enforce_sorted=False)) or 'sorted'
    (enforce_sorted=True, lengths already decreasing)."""
    options = {'numLayers': num_layers, 'bidirectional': bidirectional, 'batchFirst': batch_first}
    kwargs = dict(num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first, bias=bias)
    if kind == 'RNN':
        options['nonlinearity'] = nonlinearity
        kwargs['nonlinearity'] = nonlinearity
    if not bias:
        options['bias'] = False
    m = RNN_CLASSES[kind](INPUT, HIDDEN, **kwargs)
    salt = sum(ord(c) for c in name)
    set_params_by_formula(m, k0=100 + salt)
    dirs = 2 if bidirectional else 1
    x_shape = [BATCH, seq_len, INPUT] if batch_first else [seq_len, BATCH, INPUT]
    x = formula(x_shape, 50 + salt, 2.0)  # padding positions hold nonzero values too: packing must skip them
    state_shape = [num_layers * dirs, BATCH, HIDDEN]
    h0 = formula(state_shape, 60 + salt, 1.0) if with_state else None
    c0 = formula(state_shape, 61 + salt, 1.0) if (with_state and kind == 'LSTM') else None
    inputs = {'input': enc(x)}
    if mode != 'padded':
        inputs['lengths'] = list(lengths)
        inputs['enforceSorted'] = mode == 'sorted'
    if h0 is not None:
        inputs['h0'] = enc(h0)
    if c0 is not None:
        inputs['c0'] = enc(c0)

    def forward():
        if mode == 'padded':
            inp = x
        else:
            inp = pack_padded_sequence(x, torch.tensor(lengths, device='cpu'), batch_first=batch_first,
                                       enforce_sorted=(mode == 'sorted'))
        state = None
        if kind == 'LSTM' and h0 is not None:
            state = (h0, c0)
        elif h0 is not None:
            state = h0
        out, hidden = m(inp, state)
        if mode != 'padded':
            out, _ = pad_packed_sequence(out, batch_first=batch_first)
        if kind == 'LSTM':
            return {'output': out, 'hN': hidden[0], 'cN': hidden[1]}
        return {'output': out, 'hN': hidden}

    desc = (f'{kind}({INPUT}, {HIDDEN}, numLayers={num_layers}, bidirectional={bidirectional}, '
            f'batchFirst={batch_first}' + (f", nonlinearity='{nonlinearity}'" if kind == 'RNN' else '')
            + ('' if bias else ', bias=false') + f') on {mode} input {x_shape}'
            + (f' with lengths {list(lengths)}' if mode != 'padded' else '')
            + (' with initial state' if with_state else ''))
    return module_case(name, desc, m, {'module': kind, 'args': [INPUT, HIDDEN], 'options': options},
                       inputs, forward, 70 + salt)


def _register_recurrent():
    for kind, tag in (('RNN', 'rnn_tanh'), ('LSTM', 'lstm'), ('GRU', 'gru')):
        for layers in (1, 2, 3):
            for bidir in (False, True):
                for mode in ('padded', 'packed'):
                    name = f'{tag}_l{layers}_{"bi" if bidir else "uni"}_{mode}'
                    CASES[name] = (lambda n=name, k=kind, l=layers, b=bidir, md=mode:
                                   recurrent_case(n, k, l, b, md))
        extras = {
            f'{tag}_l2_bi_sorted': dict(num_layers=2, bidirectional=True, mode='sorted', lengths=(7, 4, 2)),
            f'{tag}_l2_bi_padded_state': dict(num_layers=2, bidirectional=True, with_state=True),
            f'{tag}_l1_uni_packed_state': dict(mode='packed', with_state=True),
            f'{tag}_l2_bi_packed_state': dict(num_layers=2, bidirectional=True, mode='packed', with_state=True),
            f'{tag}_l2_bi_packed_batchfirst': dict(num_layers=2, bidirectional=True, mode='packed',
                                                   batch_first=True),
        }
        for name, kw in extras.items():
            CASES[name] = (lambda n=name, k=kind, kw=kw: recurrent_case(n, k, **kw))
    more = {
        'rnn_relu_l2_bi_padded': dict(kind='RNN', num_layers=2, bidirectional=True, nonlinearity='relu'),
        'rnn_relu_l1_uni_packed_state': dict(kind='RNN', mode='packed', with_state=True, nonlinearity='relu'),
        'rnn_tanh_l1_uni_padded_batchfirst': dict(kind='RNN', batch_first=True),
        'gru_l1_uni_padded_nobias': dict(kind='GRU', bias=False),
        'lstm_l2_bi_packed_shortmax': dict(kind='LSTM', num_layers=2, bidirectional=True, mode='packed',
                                           lengths=(5, 3, 2)),
    }
    for name, kw in more.items():
        CASES[name] = (lambda n=name, kw=kw: recurrent_case(n, **kw))


_register_recurrent()


@case
def linear_2d():
    m = nn.Linear(6, 4)
    set_params_by_formula(m, k0=200)
    x = formula([3, 6], 201, 2.0)
    return module_case('linear_2d', 'Linear(6, 4) on [3, 6]', m,
                       {'module': 'Linear', 'args': [6, 4], 'options': {}},
                       {'input': enc(x)}, lambda: {'output': m(x)}, 202)


@case
def linear_3d_nobias():
    m = nn.Linear(6, 4, bias=False)
    set_params_by_formula(m, k0=210)
    x = formula([2, 3, 6], 211, 2.0)
    return module_case('linear_3d_nobias', 'Linear(6, 4, bias=false) on [2, 3, 6]', m,
                       {'module': 'Linear', 'args': [6, 4], 'options': {'bias': False}},
                       {'input': enc(x)}, lambda: {'output': m(x)}, 212)


@case
def conv1d_stride_padding():
    m = nn.Conv1d(4, 5, 3, stride=2, padding=1)
    set_params_by_formula(m, k0=220)
    x = formula([3, 4, 9], 221, 2.0)
    return module_case('conv1d_stride_padding', 'Conv1d(4, 5, 3, stride=2, padding=1) on [3, 4, 9]', m,
                       {'module': 'Conv1d', 'args': [4, 5, 3], 'options': {'stride': 2, 'padding': 1}},
                       {'input': enc(x)}, lambda: {'output': m(x)}, 222)


@case
def conv1d_dilation():
    m = nn.Conv1d(6, 3, 2, dilation=2)
    set_params_by_formula(m, k0=230)
    x = formula([2, 6, 7], 231, 2.0)
    return module_case('conv1d_dilation', 'Conv1d(6, 3, 2, dilation=2) on [2, 6, 7] (the tutorial CNN shape: '
                       'embedding dim as channels)', m,
                       {'module': 'Conv1d', 'args': [6, 3, 2], 'options': {'dilation': 2}},
                       {'input': enc(x)}, lambda: {'output': m(x)}, 232)


@case
def conv2d_rect_kernel():
    m = nn.Conv2d(2, 3, (3, 2), padding=1)
    set_params_by_formula(m, k0=240)
    x = formula([2, 2, 5, 4], 241, 2.0)
    return module_case('conv2d_rect_kernel', 'Conv2d(2, 3, [3, 2], padding=1) on [2, 2, 5, 4]', m,
                       {'module': 'Conv2d', 'args': [2, 3, [3, 2]], 'options': {'padding': 1}},
                       {'input': enc(x)}, lambda: {'output': m(x)}, 242)


def loss_case(name, loss_kind, reduction, logits, target, description):
    fn = {'BCEWithLogitsLoss': nn.BCEWithLogitsLoss, 'CrossEntropyLoss': nn.CrossEntropyLoss}[loss_kind](
        reduction=reduction)
    # The loss cases' inputs are made at import time, before main() may set a default device (cuda).
    device = torch.empty(0).device
    x = logits.to(device).clone().requires_grad_(True)
    target = target.to(device)
    out = fn(x, target)
    doc = {
        'name': name,
        'kind': 'loss',
        'description': description,
        'config': {'module': loss_kind, 'args': [], 'options': {'reduction': reduction}},
        'inputs': {'input': enc(logits), 'target': enc(target)},
    }
    if reduction == 'none':
        w = formula(list(out.shape), 300 + len(name), 2.0)
        scalar = (out * w).sum()
        doc['lossWeights'] = {'output': enc(w)}
        doc['lossDefinition'] = 'sum(output * lossWeights.output)'
    else:
        scalar = out
        doc['lossDefinition'] = 'output (a scalar)'
    scalar.backward()
    doc['expected'] = {'outputs': {'output': enc(out)}, 'loss': f32(scalar.item()),
                       'inputGrad': enc(x.grad)}
    return doc


def _register_losses():
    for reduction in ('mean', 'sum', 'none'):
        name = f'bce_with_logits_{reduction}'
        logits = formula([8], 310, 8.0)
        # labels 0/1 as the tutorial, and one soft target, which the loss also accepts
        target = (hash_ints(8, 311) % 2).to(torch.float32)
        target[3] = 0.25
        CASES[name] = (lambda n=name, r=reduction, lg=logits, t=target: loss_case(
            n, 'BCEWithLogitsLoss', r, lg, t, f"BCEWithLogitsLoss(reduction='{r}') on logits [8], float targets"))
        name = f'cross_entropy_{reduction}'
        logits = formula([5, 4], 320, 6.0)
        target = hash_ints(5, 321) % 4
        CASES[name] = (lambda n=name, r=reduction, lg=logits, t=target: loss_case(
            n, 'CrossEntropyLoss', r, lg, t, f"CrossEntropyLoss(reduction='{r}') on logits [5, 4], int64 classes"))


_register_losses()


def optim_case(name, kind, options, description):
    m = nn.Linear(4, 3)
    set_params_by_formula(m, k0=400)
    x = formula([5, 4], 401, 2.0)
    target = formula([5, 3], 402, 2.0)
    torch_kwargs = {'lr': options['lr']}
    if kind == 'SGD':
        for js, py in (('momentum', 'momentum'), ('dampening', 'dampening'), ('weightDecay', 'weight_decay'),
                       ('nesterov', 'nesterov')):
            if js in options:
                torch_kwargs[py] = options[js]
        opt = torch.optim.SGD(m.parameters(), **torch_kwargs)
    else:
        for js, py in (('betas', 'betas'), ('eps', 'eps'), ('weightDecay', 'weight_decay')):
            if js in options:
                torch_kwargs[py] = tuple(options[js]) if js == 'betas' else options[js]
        opt = torch.optim.Adam(m.parameters(), **torch_kwargs)
    params0 = enc_params(m)
    losses, after, grads = [], [], []
    for _ in range(STEPS):
        opt.zero_grad()
        out = m(x)
        d = out - target
        loss = (d * d).sum()
        loss.backward()
        losses.append(f32(loss.item()))
        grads.append(enc_grads(m))
        opt.step()
        after.append(enc_params(m))
    return {
        'name': name,
        'kind': 'optim',
        'description': description,
        'config': {'module': 'Linear', 'args': [4, 3], 'options': {}},
        'params': params0,
        'inputs': {'input': enc(x), 'target': enc(target)},
        'lossDefinition': 'sum((output - target) * (output - target))',
        'optimizer': dict(kind=kind, steps=STEPS, **options),
        'expected': {'loss': losses[0], 'losses': losses, 'grads': grads[0], 'gradsPerStep': grads,
                     'paramsPerStep': after, 'paramsAfter': after[-1]},
    }


CASES['optim_sgd_momentum'] = lambda: optim_case(
    'optim_sgd_momentum', 'SGD', {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.1},
    'SGD(lr=0.05, momentum=0.9, dampening=0.1) on Linear(4, 3), 3 steps')
CASES['optim_sgd_nesterov_wd'] = lambda: optim_case(
    'optim_sgd_nesterov_wd', 'SGD', {'lr': 0.05, 'momentum': 0.9, 'weightDecay': 0.01, 'nesterov': True},
    'SGD(lr=0.05, momentum=0.9, weightDecay=0.01, nesterov=true) on Linear(4, 3), 3 steps')
CASES['optim_adam'] = lambda: optim_case(
    'optim_adam', 'Adam', {'lr': 0.01},
    'Adam(lr=0.01) (default betas [0.9, 0.999], eps 1e-8) on Linear(4, 3), 3 steps')
CASES['optim_adam_wd'] = lambda: optim_case(
    'optim_adam_wd', 'Adam', {'lr': 0.02, 'betas': [0.8, 0.99], 'eps': 1e-6, 'weightDecay': 0.1},
    'Adam(lr=0.02, betas=[0.8, 0.99], eps=1e-6, weightDecay=0.1) on Linear(4, 3), 3 steps')


class Tutorial2Small(nn.Module):
    """The upgraded-sentiment tutorial's model, small: Embedding(paddingIdx) -> packed 2-layer
    bidirectional LSTM -> concat of the last layer's two final hidden states -> Linear -> logits."""

    def __init__(self, vocab, emb, hidden, pad):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb, padding_idx=pad)
        self.rnn = nn.LSTM(emb, hidden, num_layers=2, bidirectional=True)
        self.fc = nn.Linear(2 * hidden, 1)

    def forward(self, text, lengths):
        embedded = self.embedding(text)
        packed = pack_padded_sequence(embedded, lengths, enforce_sorted=False)
        _, (hidden, _) = self.rnn(packed)
        # == torch.cat((hidden[-2], hidden[-1]), dim=1), written with narrow/permute/reshape
        last = hidden.narrow(0, hidden.shape[0] - 2, 2).permute(1, 0, 2).reshape(hidden.shape[1], -1)
        return self.fc(last).squeeze(1)


@case
def model_tutorial2_small():
    vocab, emb, hidden, pad = 20, 6, 5, 1
    m = Tutorial2Small(vocab, emb, hidden, pad)
    set_params_by_formula(m, k0=500)
    lengths = [5, 7, 3, 6]
    text = token_ids([7, 4], 520, vocab)
    text[text == pad] = 0
    for b, n in enumerate(lengths):
        text[n:, b] = pad
    labels = torch.tensor([1.0, 0.0, 0.0, 1.0])
    opt = torch.optim.Adam(m.parameters(), lr=0.01)
    crit = nn.BCEWithLogitsLoss()

    def loss_fn():
        logits = m(text, torch.tensor(lengths, device='cpu'))
        return crit(logits, labels), {'logits': logits}

    params0 = enc_params(m)
    first, losses = run_steps(m, loss_fn, opt)
    return {
        'name': 'model_tutorial2_small',
        'kind': 'model',
        'description': 'Embedding(20, 6, paddingIdx=1) -> LSTM(6, 5, numLayers=2, bidirectional) on packed '
                       'input (enforceSorted=false) -> cat(hN[-2], hN[-1]) -> Linear(10, 1); '
                       'BCEWithLogitsLoss; Adam(lr=0.01), 3 steps',
        'config': {'module': 'Tutorial2Small', 'args': [vocab, emb, hidden, pad], 'options': {}},
        'params': params0,
        'inputs': {'text': enc(text), 'lengths': lengths, 'labels': enc(labels)},
        'lossDefinition': 'BCEWithLogitsLoss()(logits, labels)',
        'optimizer': {'kind': 'Adam', 'lr': 0.01, 'steps': STEPS},
        'expected': {'outputs': {k: enc(v) for k, v in first['outputs'].items()}, 'loss': first['loss'],
                     'grads': first['grads'], 'losses': losses, 'paramsAfter': enc_params(m)},
    }


class Tutorial1RNN(nn.Module):
    """Simple sentiment analysis tutorial's model."""

    def __init__(self, input_dim, embedding_dim, hidden_dim, output_dim):
        super().__init__()
        self.embedding = nn.Embedding(input_dim, embedding_dim)
        self.rnn = nn.RNN(embedding_dim, hidden_dim)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, text):
        embedded = self.embedding(text)
        output, hidden = self.rnn(embedded)
        return self.fc(hidden.squeeze(0))


def summary(t, indices):
    d = t.detach().to(torch.float64).reshape(-1)
    return {
        'sum': d.sum().item(),
        'sumSq': (d * d).sum().item(),
        'absSum': d.abs().sum().item(),
        'values': [f32(x) for x in t.detach().reshape(-1)[torch.tensor(indices)].tolist()],
    }


def diff_summary(after, before, indices):
    """after - before, computed exactly in double from the two float32 tensors."""
    d = after.detach().to(torch.float64).reshape(-1) - before.detach().to(torch.float64).reshape(-1)
    return {
        'sum': d.sum().item(),
        'sumSq': (d * d).sum().item(),
        'absSum': d.abs().sum().item(),
        'values': [x for x in d[torch.tensor(indices)].tolist()],
    }


@case
def model_tutorial1_full():
    vocab, emb, hidden, out_dim, seq_len, batch, pad = 25002, 100, 256, 1, 50, 64, 1
    m = Tutorial1RNN(vocab, emb, hidden, out_dim)
    scales = {'embedding.weight': 2.0, 'rnn.weight_ih_l0': 0.2, 'rnn.weight_hh_l0': 0.125,
              'rnn.bias_ih_l0': 0.125, 'rnn.bias_hh_l0': 0.125, 'fc.weight': 0.125, 'fc.bias': 0.125}
    specs = []
    with torch.no_grad():
        for p_index, (name, p) in enumerate(m.named_parameters()):
            k = 1000 + p_index
            p.copy_(formula(list(p.shape), k, scales[name]))
            specs.append([name, list(p.shape), k, scales[name]])
    n_params = sum(p.numel() for p in m.parameters())
    assert n_params == 2592105, n_params
    # a bucketed batch (as BucketIterator makes): lengths between 44 and 50, ids from the token formula
    # (0 = <unk> appears too), padded with 1 (<pad>) after each review's length
    lengths = [44 + int(v) % 7 for v in hash_ints(batch, 1100).tolist()]
    lengths[0] = seq_len
    text = token_ids([seq_len, batch], 1101, vocab)
    text[text == pad] = 0
    for b, n in enumerate(lengths):
        text[n:, b] = pad
    labels = (hash_ints(batch, 1102) % 2).to(torch.float32)
    before = {name: p.detach().clone() for name, p in m.named_parameters()}

    # 64 fixed indices per parameter: 32 spread evenly over the flat range, 32 from the formula; for the
    # embedding, the second half sits in rows the batch uses (elsewhere the gradient is zero).
    used_rows = sorted(set(text.reshape(-1).tolist()))
    indices = {}
    for name, p in m.named_parameters():
        n = p.numel()
        spread = [(j * n) // 32 + (j * 7) % max(1, n // 32) for j in range(32)]
        if name == 'embedding.weight':
            rows = [used_rows[int(v) % len(used_rows)] for v in hash_ints(32, 1200).tolist()]
            cols = [int(v) % emb for v in hash_ints(32, 1201).tolist()]
            extra = [r * emb + c for r, c in zip(rows, cols)]
        else:
            extra = [int(v) % n for v in hash_ints(32, 1202 + len(indices)).tolist()]
        indices[name] = spread + extra

    opt = torch.optim.SGD(m.parameters(), lr=1e-3)
    crit = nn.BCEWithLogitsLoss()
    losses = []
    first = None
    for step in range(STEPS):
        opt.zero_grad()
        logits = m(text).squeeze(1)
        loss = crit(logits, labels)
        loss.backward()
        losses.append(f32(loss.item()))
        if step == 0:
            first = {'logits': enc(logits), 'loss': f32(loss.item()),
                     'grads': [[name, list(p.shape), summary(p.grad, indices[name])]
                               for name, p in m.named_parameters()]}
        opt.step()
    after = [[name, list(p.shape), summary(p, indices[name])] for name, p in m.named_parameters()]
    delta = [[name, list(p.shape), diff_summary(p, before[name], indices[name])]
             for name, p in m.named_parameters()]
    init = [[name, list(p.shape), summary(before[name], indices[name])] for name, p in m.named_parameters()]
    return {
        'name': 'model_tutorial1_full',
        'kind': 'model',
        'description': 'The simple sentiment tutorial model: Embedding(25002, 100) -> RNN(100, 256) -> '
                       'Linear(256, 1), 2,592,105 parameters, on one [50, 64] batch; BCEWithLogitsLoss; '
                       'SGD(lr=1e-3), 3 steps. Weights from the formula (not stored); gradients and '
                       'parameters checked through summaries.',
        'config': {'module': 'Tutorial1RNN', 'args': [vocab, emb, hidden, out_dim], 'options': {}},
        'paramCount': n_params,
        'init': {'formula': FORMULA, 'params': specs,
                 'note': 'params lists [name, shape, k, scale] in state_dict order'},
        'inputs': {'text': enc(text), 'lengths': lengths, 'labels': enc(labels)},
        'lossDefinition': 'BCEWithLogitsLoss()(logits, labels) with logits = fc(hN.squeeze(0)).squeeze(1)',
        'optimizer': {'kind': 'SGD', 'lr': 1e-3, 'steps': STEPS},
        'summaryDefinition': 'sum, sumSq, absSum over all elements in double precision; values at `indices`',
        'indices': [[name, indices[name]] for name, _ in m.named_parameters()],
        'expected': {'outputs': {'logits': first['logits']}, 'loss': first['loss'], 'losses': losses,
                     'initSummary': init, 'gradSummary': first['grads'], 'paramsAfterSummary': after,
                     'paramsDeltaSummary': delta},
    }


def main(argv):
    torch.set_num_threads(1)
    # PARITY_DEVICE=cuda computes the references on the GPU with this machine's PyTorch and its defaults
    # (cuDNN may use TF32), for scripts/gpu-check.sh; the committed fixtures are the CPU's.
    device = os.environ.get('PARITY_DEVICE', 'cpu')
    if device != 'cpu':
        torch.set_default_device(device)
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = argv[1] if len(argv) > 1 else os.path.join(here, '..', '..', 'test', 'fixtures', 'parity')
    only = set(argv[2:])
    os.makedirs(out_dir, exist_ok=True)
    names = []
    for name, make in CASES.items():
        if only and name not in only:
            continue
        doc = make()
        assert doc['name'] == name, (doc['name'], name)
        doc['generator'] = {'script': 'scripts/parity/make_fixtures.py', 'torch': torch.__version__, 'openblas': openblas_core(),
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
