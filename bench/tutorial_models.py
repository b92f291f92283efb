# The tutorials' four models as a PyTorch user writes them (classes of the series, in the layout
# lib/models uses), the tutorials' binary_accuracy, and the batches the Node side writes for the
# benchmark harnesses (bench/epoch.py, bench/series.py): token ids in one int32 file, shapes, labels and
# lengths in JSON.
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


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


def build(cfg):
    """The model for a ModelConfig (lib/models' defaultConfig, as JSON)."""
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
    return model


def load_batches(specs, flat, offset, device):
    """(text, lengths or None, label) tensors for each batch spec, reading token ids from flat[offset:];
    returns them and the offset after the last."""
    batches = []
    for b in specs:
        n = b['shape'][0] * b['shape'][1]
        text = torch.from_numpy(flat[offset:offset + n].reshape(b['shape'])).to(torch.int64).to(device)
        offset += n
        label = torch.tensor(b['labels'], dtype=torch.float32, device=device)
        lengths = torch.tensor(b['lengths'], dtype=torch.int64, device=device) if 'lengths' in b else None
        batches.append((text, lengths, label))
    return batches, offset


def binary_accuracy(preds, y):
    rounded_preds = torch.round(torch.sigmoid(preds))
    correct = (rounded_preds == y).float()
    return correct.sum() / len(correct)
