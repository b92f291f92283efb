"""What every case family shares: the deterministic value formula, the JSON encoding, the training loop
of the module cases, and the tolerance each fixture states for check_fixtures.py.

Nothing here draws from torch's (or any) random number generator. Every weight, input, token id and
loss weight comes from one integer formula that JavaScript can reproduce exactly:

    u(i, k) = ((i * 2654435761 + k * 97) % 1000003) / 1000003 - 0.5      (i: flat index, k: a stream id)
    value   = float32(u(i, k) * scale)

computed in double precision (i * 2654435761 stays below 2**53 for i < 3,393,000, so plain JS numbers are
exact; use Math.fround for the final float32 rounding), with integer token ids taken as
((i * 2654435761 + k * 97) % 1000003) % vocab.
"""
import math

import torch

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


def registry():
    """An ordered {name: builder} for one family and the decorator that fills it."""
    cases = {}

    def case(fn):
        cases[fn.__name__] = fn
        return fn
    return cases, case


# ---------------------------------------------------------------- the tolerance a fixture states
#
# The same PyTorch gives results that differ by a few float32 roundings with other OpenBLAS kernels
# (a CI host may be Intel or AMD, and OpenBLAS picks the kernels, hence the summation order, from the
# CPU), so check_fixtures.py compares each value within a tolerance the fixture states, not bit for bit.
# A float32 rounding moves a result by at most U = 2**-24 of the magnitude it works at; a value at the end
# of a chain of L roundings moves, the roundings being independent, by some sqrt(L) * U of that magnitude
# rather than the worst case L * U (Higham, Accuracy and Stability of Numerical Algorithms, 3.1). The
# magnitude ("scale") a value works at is that of the quantity it comes from, not the value itself: a
# gradient entry near zero is the cancelled sum of terms as large as the tensor's largest entries.
# So: |fresh - committed| <= ULPS * U * scale with ULPS = max(FLOOR_ULPS, ceil(LAMBDA * sqrt(L))), L the
# case's optimizer steps times the sum of the reduction lengths on its longest chain (forward, backward
# through time, the weight-gradient sum, the loss's sum), stated in each fixture with its parts.
U = 2.0 ** -24
# LAMBDA: how many sqrt(L) * U a value may move; docs/benchmarks.md has the margin it leaves on each
# OpenBLAS kernel family this project could run.
LAMBDA = 2
FLOOR_ULPS = 32  # short chains: a handful of roundings can all fall the same way
SCALE_RULE = ('scale: the largest |x| of the array a value belongs to (one tensor, one per-step list); for a '
              'loss summing weighted outputs, sum |output * lossWeight|; for a summary, its absSum for `sum`, '
              'itself for sumSq and absSum, the largest |value| for `values`; for a parameter update '
              '(paramsDeltaSummary, after - before), |after| at the same index')


def ulps_for(length):
    return max(FLOOR_ULPS, math.ceil(LAMBDA * math.sqrt(length)))


def tolerance(chain, steps):
    """The `tolerance` block of a fixture: `chain` names the reduction lengths of one step."""
    length = steps * sum(chain.values())
    return {'rule': f'|fresh - committed| <= ulps * 2**-24 * scale, ulps = max({FLOOR_ULPS}, '
                    f'ceil({LAMBDA} * sqrt(reductionLength))), reductionLength = steps * sum(chain)',
            'scale': SCALE_RULE, 'chain': chain, 'steps': steps, 'reductionLength': length,
            'ulps': ulps_for(length)}


def numel(t):
    return math.prod(t['shape'])


def loss_terms(doc):
    """How many output elements the weighted loss of a module case sums."""
    return sum(numel(t) for t in doc['expected']['outputs'].values())
