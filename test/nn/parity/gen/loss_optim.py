"""Loss cases (BCEWithLogitsLoss, CrossEntropyLoss; mean, sum, none) and optimizer cases (SGD with
momentum or nesterov and weight decay, Adam with and without weight decay) on a Linear(4, 3)."""
import torch
import torch.nn as nn

from .common import STEPS, enc, enc_grads, enc_params, f32, formula, hash_ints, numel, registry, set_params_by_formula

CASES, _ = registry()


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


def chain(doc):
    if doc['kind'] == 'loss':
        # softmax / mean / weighted sum over the logits, once (no optimizer)
        return {'elements': numel(doc['inputs']['input'])}
    x, target = doc['inputs']['input'], doc['inputs']['target']
    in_features = x['shape'][-1]
    return {'forward': in_features, 'weightGradient': numel(x) // in_features, 'loss': numel(target)}
