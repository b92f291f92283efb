"""Linear and convolution cases."""
import torch.nn as nn

from .common import enc, formula, loss_terms, module_case, numel, registry, set_params_by_formula

CASES, case = registry()


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


def chain(doc):
    """An output sums over its inputs (in features, or in channels x kernel); a weight's gradient sums over
    every position that weight touched (rows, or batch x output positions)."""
    c = doc['config']
    out = doc['expected']['outputs']['output']
    if c['module'] == 'Linear':
        in_features, out_features = c['args']
        return {'forward': in_features, 'weightGradient': numel(out) // out_features, 'loss': loss_terms(doc)}
    in_ch, out_ch, kernel = c['args']
    kernel_elems = kernel if isinstance(kernel, int) else kernel[0] * kernel[1]
    return {'forward': in_ch * kernel_elems, 'weightGradient': numel(out) // out_ch, 'loss': loss_terms(doc)}
