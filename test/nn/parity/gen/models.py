"""The two tutorial models: tutorial 2 small (stored weights) and tutorial 1 at full size (weights from
the formula, checked through summaries)."""
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence

from .rnn import through_layers
from .common import FORMULA, STEPS, enc, enc_params, f32, formula, hash_ints, registry, run_steps, set_params_by_formula, token_ids

CASES, case = registry()


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


def chain(doc):
    """Embedding -> recurrent layers through time -> Linear on the last state: as rnn.chain, plus the
    Linear's input and the loss's mean over the batch."""
    vocab, emb, hidden = doc['config']['args'][:3]
    seq, batch = doc['inputs']['text']['shape']
    if doc['name'] == 'model_tutorial2_small':
        layers, dirs = 2, 2
    else:
        layers, dirs = 1, 1
    forward = through_layers(seq, emb, hidden, layers, dirs)
    return {'forward': forward, 'backward': forward, 'weightGradient': seq * batch, 'linear': dirs * hidden,
            'loss': batch}
