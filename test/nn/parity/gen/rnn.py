"""Recurrent cases: RNN (tanh, relu), LSTM and GRU; 1-3 layers, one or two directions, padded,
packed or sorted input, with or without an initial state, batch-first."""
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .common import (BATCH, HIDDEN, INPUT, SEQ_LEN, enc, formula, loss_terms, module_case, registry,
                     set_params_by_formula)

CASES, _ = registry()


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


def chain(doc):
    """Through time and layers: at each time step a layer's gates reduce over its input and its hidden
    state, and the last layer's last step comes after every step of the layers below, forward and again
    backward; a weight's gradient sums over time and batch."""
    in_size, hidden = doc['config']['args']
    o = doc['config']['options']
    shape = doc['inputs']['input']['shape']
    seq, batch = (shape[1], shape[0]) if o['batchFirst'] else (shape[0], shape[1])
    dirs = 2 if o['bidirectional'] else 1
    through_time = through_layers(seq, in_size, hidden, o['numLayers'], dirs)
    return {'forward': through_time, 'backward': through_time, 'weightGradient': seq * batch,
            'loss': loss_terms(doc)}


def through_layers(seq, in_size, hidden, layers, dirs):
    """The roundings on the longest path through a stacked recurrent layer: seq steps of each layer, each
    reducing over that layer's input (the layer below's dirs * hidden outputs) plus its hidden state."""
    return seq * sum((in_size if layer == 0 else dirs * hidden) + hidden for layer in range(layers))
