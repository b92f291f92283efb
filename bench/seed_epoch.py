# PyTorch side of bench/seed-epoch.ts: one epoch of the tutorial's model on the batches the Node side
# made (same token ids, lengths, labels, order) from the same initial weights (torch.manual_seed(1234)
# + the same construction order gives the weights torch-sentiment's manualSeed(1234) gives).
# Usage: /usr/bin/python3 bench/seed_epoch.py BATCHES.bin BATCHES.json  -> JSON {seconds, loss, acc}
import json, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from blas_info import openblas_core

ids_file, meta_file = sys.argv[1], sys.argv[2]
import os
if os.environ.get('SEED_EPOCH_FLUSH') == '1':
    torch.set_flush_denormal(True)  # OpenBLAS's threads are set by OPENBLAS_NUM_THREADS in the environment
meta = json.load(open(meta_file))
flat = np.fromfile(ids_file, dtype=np.int32)
device = torch.device(meta.get('device', 'cpu'))

batches = []
offset = 0
for b in meta['batches']:
    n = b['len'] * b['size']
    text = torch.from_numpy(flat[offset:offset + n].reshape(b['len'], b['size'])).to(torch.int64).to(device)
    offset += n
    label = torch.tensor(b['labels'], dtype=torch.float32, device=device)
    batches.append((text, label))

class RNN(nn.Module):
    def __init__(self, input_dim, embedding_dim, hidden_dim, output_dim):
        super().__init__()
        self.embedding = nn.Embedding(input_dim, embedding_dim)
        self.rnn = nn.RNN(embedding_dim, hidden_dim)
        self.fc = nn.Linear(hidden_dim, output_dim)
    def forward(self, text):
        embedded = self.embedding(text)
        output, hidden = self.rnn(embedded)
        return self.fc(hidden.squeeze(0))

def binary_accuracy(preds, y):
    rounded_preds = torch.round(torch.sigmoid(preds))
    correct = (rounded_preds == y).float()
    return correct.sum() / len(correct)

torch.manual_seed(1234)
model = RNN(meta['vocab_size'], 100, 256, 1).to(device)
optimizer = optim.SGD(model.parameters(), lr=1e-3)
criterion = nn.BCEWithLogitsLoss().to(device)

def sync():
    if device.type == 'cuda':
        torch.cuda.synchronize()

model.train()
sync()
start = time.perf_counter()
epoch_loss = 0.0
epoch_acc = 0.0
for text, label in batches:
    optimizer.zero_grad()
    predictions = model(text).squeeze(1)
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
