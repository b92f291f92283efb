# PyTorch side of bench/series.ts: the tutorials' training loop (train, evaluate, keep the weights of the
# best validation loss, then the test split with them) on the batches the Node side wrote (every epoch's
# training batches, the validation and the test batches: the same token ids, lengths, labels and order),
# from its initial weights (torch.load of its state dict), with the same optimizer and seed.
# Usage: /usr/bin/python3 bench/series.py DIR  -> JSON {epochs: [...], test, seconds}
import copy, json, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from blas_info import openblas_core
from tutorial_models import binary_accuracy, build, load_batches

d = sys.argv[1]
# The CLI's settings (lib/cli/commands.ts setUp): denormals flushed; one intra-op thread here by default,
# and OpenBLAS's threads set by OPENBLAS_NUM_THREADS in the environment.
torch.set_flush_denormal(True)
meta = json.load(open(os.path.join(d, 'batches.json')))
device = torch.device(meta.get('device', 'cpu'))
flat = np.fromfile(os.path.join(d, 'batches.bin'), dtype=np.int32)
model = build(meta['model'])
model.load_state_dict(torch.load(os.path.join(d, 'model.pt')))
model = model.to(device)

offset = 0
epochs = []
for specs in meta['epochs']:
    batches, offset = load_batches(specs, flat, offset, device)
    epochs.append(batches)
valid, offset = load_batches(meta['valid'], flat, offset, device)
test, offset = load_batches(meta['test'], flat, offset, device)
assert offset == len(flat), f'read {offset} of {len(flat)} token ids'

lr = meta['lr']
optimizer = optim.SGD(model.parameters(), lr=lr) if meta['optimizer'] == 'sgd' else optim.Adam(model.parameters(), lr=lr)
criterion = nn.BCEWithLogitsLoss().to(device)


def sync():
    if device.type == 'cuda':
        torch.cuda.synchronize()


def run(batches, train):
    epoch_loss = 0.0
    epoch_acc = 0.0
    model.train(train)
    with torch.set_grad_enabled(train):
        for text, lengths, label in batches:
            if train:
                optimizer.zero_grad()
            predictions = (model(text, lengths) if lengths is not None else model(text)).squeeze(1)
            loss = criterion(predictions, label)
            acc = binary_accuracy(predictions, label)
            if train:
                loss.backward()
                optimizer.step()
            epoch_loss += loss.item()
            epoch_acc += acc.item()
    return {'loss': epoch_loss / len(batches), 'acc': epoch_acc / len(batches)}


torch.manual_seed(meta['seed'])
sync()
start = time.perf_counter()
records = []
best_valid_loss = float('inf')
best = None
for batches in epochs:
    t0 = time.perf_counter()
    train_result = run(batches, True)
    t1 = time.perf_counter()
    valid_result = run(valid, False)
    is_best = valid_result['loss'] < best_valid_loss
    if is_best:
        best_valid_loss = valid_result['loss']
        best = copy.deepcopy(model.state_dict())
    records.append({'train': train_result, 'valid': valid_result, 'seconds': time.perf_counter() - t0,
                    'trainSeconds': t1 - t0, 'best': is_best})
model.load_state_dict(best)
test_result = run(test, False)
sync()
print(json.dumps({'epochs': records, 'test': test_result, 'seconds': time.perf_counter() - start,
                  'threads': torch.get_num_threads(), 'version': torch.__version__, 'blas': openblas_core()}))
