"""Embedding cases: padding index, repeated ids."""
import torch.nn as nn

from .common import enc, loss_terms, module_case, numel, registry, set_params_by_formula, token_ids, SEQ_LEN, BATCH

CASES, case = registry()


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


def chain(doc):
    # a lookup sums nothing forward; each weight row's gradient sums over the ids that use it
    return {'weightGradient': numel(doc['inputs']['ids']), 'loss': loss_terms(doc)}
