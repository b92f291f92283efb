# PyTorch side of bench/lstm-step.ts: training steps of tutorial 2's model on the batch and from the
# weights the Node side wrote. Usage: /usr/bin/python3 bench/lstm_step.py DIR -> JSON {steps: [...]}
import json, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from blas_info import openblas_core

torch.set_num_threads(1)
torch.set_flush_denormal(True)  # OpenBLAS's threads are set by OPENBLAS_NUM_THREADS in the environment
d = sys.argv[1]
meta = json.load(open(os.path.join(d, 'batch.json')))
T, B = meta['T'], meta['B']
text = torch.from_numpy(np.fromfile(os.path.join(d, 'ids.bin'), dtype=np.int32).reshape(T, B)).to(torch.int64)
lengths = torch.tensor(meta['lengths'], dtype=torch.int64)
label = torch.tensor(meta['labels'], dtype=torch.float32)


class RNN(nn.Module):  # the tutorial's model, as written there (packing unsorted, as our LSTMClassifier)
    def __init__(self, vocab_size, embedding_dim, hidden_dim, output_dim, n_layers, bidirectional, dropout, pad_idx):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_idx)
        self.rnn = nn.LSTM(embedding_dim, hidden_dim, num_layers=n_layers, bidirectional=bidirectional, dropout=dropout)
        self.fc = nn.Linear(hidden_dim * 2, output_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, text, text_lengths):
        embedded = self.dropout(self.embedding(text))
        packed = nn.utils.rnn.pack_padded_sequence(embedded, text_lengths.to('cpu'), enforce_sorted=False)
        packed_output, (hidden, cell) = self.rnn(packed)
        hidden = self.dropout(torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1))
        return self.fc(hidden)


model = RNN(meta['vocab'], 100, 256, 1, 2, True, 0.5, meta['pad'])
model.load_state_dict(torch.load(os.path.join(d, 'model.pt')))
model.train()
optimizer = optim.Adam(model.parameters())
criterion = nn.BCEWithLogitsLoss()
steps = []
for s in range(meta['steps']):
    torch.manual_seed(100 + s)
    c0 = time.process_time()
    t0 = time.perf_counter()
    optimizer.zero_grad()
    loss = criterion(model(text, lengths).squeeze(1), label)
    t1 = time.perf_counter()
    loss.backward()
    t2 = time.perf_counter()
    optimizer.step()
    t3 = time.perf_counter()
    cpu = (time.process_time() - c0) * 1000
    ms = lambda a, b: (b - a) * 1000
    steps.append({'forward': ms(t0, t1), 'backward': ms(t1, t2), 'adam': ms(t2, t3), 'total': ms(t0, t3), 'cpu': cpu, 'loss': loss.item()})
print(json.dumps({'steps': steps, 'version': torch.__version__, 'threads': torch.get_num_threads(), 'blas': openblas_core()}))
