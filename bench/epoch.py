# PyTorch side of bench/epoch.ts: one training epoch (or its first batches) of a tutorial model on the
# batches the Node side made (same token ids, lengths, labels, order), from the initial weights it saved
# (torch.load of its state dict). The classes are the tutorials' (bench/tutorial_models.py).
# Usage: /usr/bin/python3 bench/epoch.py DIR  -> JSON {seconds, loss, acc, ...}
import json, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from blas_info import openblas_core
from tutorial_models import binary_accuracy, build, load_batches

d = sys.argv[1]
if os.environ.get('EPOCH_FLUSH') == '1':
    torch.set_flush_denormal(True)  # OpenBLAS's threads are set by OPENBLAS_NUM_THREADS in the environment
if os.environ.get('EPOCH_ONE_THREAD') == '1':
    torch.set_num_threads(1)
meta = json.load(open(os.path.join(d, 'batches.json')))
cfg = meta['model']
device = torch.device(meta['device'])
flat = np.fromfile(os.path.join(d, 'batches.bin'), dtype=np.int32)
name = cfg['model']
model = build(cfg)
model.load_state_dict(torch.load(os.path.join(d, 'model.pt')))
model = model.to(device)

batches, _ = load_batches(meta['batches'], flat, 0, device)
optimizer = optim.SGD(model.parameters(), lr=1e-3) if name == 'rnn' else optim.Adam(model.parameters())
criterion = nn.BCEWithLogitsLoss().to(device)


def sync():
    if device.type == 'cuda':
        torch.cuda.synchronize()


model.train()
torch.manual_seed(meta['seed'])
sync()
start = time.perf_counter()
epoch_loss = 0.0
epoch_acc = 0.0
for text, lengths, label in batches:
    optimizer.zero_grad()
    predictions = (model(text, lengths) if lengths is not None else model(text)).squeeze(1)
    loss = criterion(predictions, label)
    acc = binary_accuracy(predictions, label)
    loss.backward()
    optimizer.step()
    epoch_loss += loss.item()
    epoch_acc += acc.item()
sync()
seconds = time.perf_counter() - start
print(json.dumps({'seconds': seconds, 'loss': epoch_loss / len(batches), 'acc': epoch_acc / len(batches),
                  'threads': torch.get_num_threads(), 'version': torch.__version__, 'blas': openblas_core()}))
