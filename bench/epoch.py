# PyTorch side of bench/epoch.ts: one training epoch (or its first batches) of a tutorial model on the
# batches the Node side made (same token ids, lengths, labels, order), from the initial weights it saved
# (torch.load of its state dict). The classes are the tutorials', written as lib/models writes them.
# Usage: /usr/bin/python3 bench/epoch.py DIR  -> JSON {seconds, loss, acc, ...}
import json, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from blas_info import openblas_core

d = sys.argv[1]
if os.environ.get('EPOCH_FLUSH') == '1':
    torch.set_flush_denormal(True)  # OpenBLAS's threads are set by OPENBLAS_NUM_THREADS in the environment
if os.environ.get('EPOCH_ONE_THREAD') == '1':
    torch.set_num_threads(1)
meta = json.load(open(os.path.join(d, 'batches.json')))
cfg = meta['model']
device = torch.device(meta['device'])
flat = np.fromfile(os.path.join(d, 'batches.bin'), dtype=np.int32)


class RNN(nn.Module):  # tutorial 1
    def __init__(self, input_dim, embedding_dim, hidden_dim, output_dim):
        super().__init__()
        self.embedding = nn.Embedding(input_dim, embedding_dim)
        self.rnn = nn.RNN(embedding_dim, hidden_dim)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, text):
        embedded = self.embedding(text)
        output, hidden = self.rnn(embedded)
        return self.fc(hidden.squeeze(0))


class LSTM(nn.Module):  # tutorial 2 (packing unsorted, as our LSTMClassifier)
    def __init__(self, vocab_size, embedding_dim, hidden_dim, output_dim, n_layers, bidirectional, dropout, pad_idx):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_idx)
        self.rnn = nn.LSTM(embedding_dim, hidden_dim, num_layers=n_layers, bidirectional=bidirectional,
                           dropout=dropout if n_layers > 1 else 0)
        self.fc = nn.Linear(hidden_dim * (2 if bidirectional else 1), output_dim)
        self.dropout = nn.Dropout(dropout)
        self.bidirectional = bidirectional

    def forward(self, text, text_lengths):
        embedded = self.dropout(self.embedding(text))
        packed = nn.utils.rnn.pack_padded_sequence(embedded, text_lengths.to('cpu'), enforce_sorted=False)
        packed_output, (hidden, cell) = self.rnn(packed)
        last = torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1) if self.bidirectional else hidden[-1, :, :]
        return self.fc(self.dropout(last))


class FastText(nn.Module):  # tutorial 3 (the bigrams are in the token ids)
    def __init__(self, vocab_size, embedding_dim, output_dim, pad_idx):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_idx)
        self.fc = nn.Linear(embedding_dim, output_dim)

    def forward(self, text):
        embedded = self.embedding(text).permute(1, 0, 2)
        pooled = F.avg_pool2d(embedded, (embedded.shape[1], 1)).squeeze(1)
        return self.fc(pooled)


class CNN(nn.Module):  # tutorial 4, taking [sent len, batch] as our CNN does
    def __init__(self, vocab_size, embedding_dim, n_filters, filter_sizes, output_dim, dropout, pad_idx):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_idx)
        self.convs = nn.ModuleList([nn.Conv2d(1, n_filters, (fs, embedding_dim)) for fs in filter_sizes])
        self.fc = nn.Linear(len(filter_sizes) * n_filters, output_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, text):
        embedded = self.embedding(text.t()).unsqueeze(1)
        conved = [F.relu(conv(embedded)).squeeze(3) for conv in self.convs]
        pooled = [F.max_pool1d(conv, conv.shape[2]).squeeze(2) for conv in conved]
        return self.fc(self.dropout(torch.cat(pooled, dim=1)))


name = cfg['model']
if name == 'rnn':
    model = RNN(cfg['vocabSize'], cfg['embeddingDim'], cfg['hiddenDim'], cfg['outputDim'])
elif name == 'lstm':
    model = LSTM(cfg['vocabSize'], cfg['embeddingDim'], cfg['hiddenDim'], cfg['outputDim'], cfg['nLayers'],
                 cfg['bidirectional'], cfg['dropout'], cfg['padIdx'])
elif name == 'fasttext':
    model = FastText(cfg['vocabSize'], cfg['embeddingDim'], cfg['outputDim'], cfg['padIdx'])
else:
    model = CNN(cfg['vocabSize'], cfg['embeddingDim'], cfg['nFilters'], cfg['filterSizes'], cfg['outputDim'],
                cfg['dropout'], cfg['padIdx'])
model.load_state_dict(torch.load(os.path.join(d, 'model.pt')))
model = model.to(device)

batches = []
offset = 0
for b in meta['batches']:
    n = b['shape'][0] * b['shape'][1]
    text = torch.from_numpy(flat[offset:offset + n].reshape(b['shape'])).to(torch.int64).to(device)
    offset += n
    label = torch.tensor(b['labels'], dtype=torch.float32, device=device)
    lengths = torch.tensor(b['lengths'], dtype=torch.int64, device=device) if 'lengths' in b else None
    batches.append((text, lengths, label))


def binary_accuracy(preds, y):
    rounded_preds = torch.round(torch.sigmoid(preds))
    correct = (rounded_preds == y).float()
    return correct.sum() / len(correct)


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
