#!/usr/bin/python3
"""Python side of bench/pipeline: the same work as the Node pipeline, as legacy
torchtext (0.8, the tutorial's) does it, which cannot be imported here:
read the archive with tarfile, each review's first line (torchtext's IMDB reads
`f.readline()`), `Field.preprocess` (rstrip, torchtext's own basic_english,
loaded by file path since `import torchtext` fails on Debian), `build_vocab`
(a collections.Counter over the train split, legacy Vocab's sort, max_size
25,000, <unk> <pad> first; the label vocabulary), then one epoch of a
BucketIterator over train (shuffled, pools of 100 batches sorted by length,
batches shuffled) and test (sorted), batch size 64, each batch through
legacy `Field.pad` + `numericalize` into torch tensors (int64 text
[sent len, batch], float labels). Prints one JSON object: timings (seconds)
and counts; the checksums are computed after the clock stops.
"""
import collections
import importlib.util
import json
import random
import re
import sys
import tarfile
import time

UTILS = "/usr/lib/python3/dist-packages/torchtext/data/utils.py"
ENTRY = re.compile(r"^(?:\./)?(?:[^/]+/)?(train|test)/(neg|pos)/(\d+)_(\d+)\.txt$")
FIRST_LINE = re.compile(r"[\r\n]")


def chunks(items, size):
    return [items[i:i + size] for i in range(0, len(items), size)]


def epoch(examples, batch_size, train, rng):
    """legacy torchtext Iterator/BucketIterator: pool() for train, sorted batches otherwise."""
    key = lambda ex: len(ex[0])
    if not train:
        return chunks(sorted(examples, key=key), batch_size)
    data = list(examples)
    rng.shuffle(data)
    out = []
    for pool in chunks(data, batch_size * 100):
        batches = chunks(sorted(pool, key=key), batch_size)
        rng.shuffle(batches)
        out.extend(batches)
    return out


def process(batch, stoi, label_stoi, torch, tensors):
    """legacy Field.pad + Field.numericalize (sequential text, pad '<pad>') and the LabelField's."""
    texts = [ex[0] for ex in batch]
    max_len = max(len(x) for x in texts)
    padded = [list(x[:max_len]) + ["<pad>"] * max(0, max_len - len(x)) for x in texts]
    arr = [[stoi[x] for x in ex] for ex in padded]
    labels = [label_stoi[ex[1]] for ex in batch]
    if not tensors:
        return max_len * len(batch)
    var = torch.tensor(arr, dtype=torch.long)
    var.t_()
    var = var.contiguous()
    lab = torch.tensor(labels, dtype=torch.float)
    return var.numel() if lab.numel() else 0


def build_vocab(counter, max_size, specials):
    """legacy torchtext.vocab.Vocab: specials first, words by frequency, ties by word."""
    itos = list(specials)
    words = sorted(counter.items(), key=lambda tup: tup[0])
    words.sort(key=lambda tup: tup[1], reverse=True)
    for word, _ in words:
        if max_size is not None and len(itos) == max_size + len(specials):
            break
        itos.append(word)
    stoi = collections.defaultdict(int)  # unknown -> <unk> (index 0), as legacy's default_unk_index
    stoi.update({w: i for i, w in enumerate(itos)})
    return itos, stoi


def main(archive, tensors):
    spec = importlib.util.spec_from_file_location("torchtext_data_utils", UTILS)
    utils = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(utils)
    tokenize = utils._basic_english_normalize
    torch = None
    if tensors:
        import torch  # before the clock, as Node loads libtorch before it

    c0 = time.process_time()
    t0 = time.perf_counter()
    splits = {"train": [], "test": []}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            m = ENTRY.match(member.name)
            if not m or not member.isfile():
                continue
            text = FIRST_LINE.split(tar.extractfile(member).read().decode("utf-8"), 1)[0]
            splits[m.group(1)].append((tokenize(text.rstrip("\n")), m.group(2)))
    train, test = splits["train"], splits["test"]
    t1 = time.perf_counter()
    c1 = time.process_time()
    counter = collections.Counter()
    for toks, _ in train:
        counter.update(toks)
    itos, stoi = build_vocab(counter, 25000, ["<unk>", "<pad>"])
    label_itos, label_stoi = build_vocab(collections.Counter(label for _, label in train), None, [])
    t2 = time.perf_counter()
    c2 = time.process_time()
    batch_count = []
    cells = 0
    for i, ds in enumerate([train, test]):
        batches = epoch(ds, 64, i == 0, random.Random(1234 + i))
        for b in batches:
            cells += process(b, stoi, label_stoi, torch, tensors)
        batch_count.append(len(batches))
    t3 = time.perf_counter()
    c3 = time.process_time()
    tokens = sum(len(t) for ds in (train, test) for t, _ in ds)
    checksum = sum(stoi[t] for ds in (train, test) for toks, _ in ds for t in toks)
    print(json.dumps({
        "read_tokenize": t1 - t0, "vocab": t2 - t1, "batches": t3 - t2, "total": t3 - t0, "cpu": c3 - c0,
        "cpu_read_tokenize": c1 - c0, "cpu_vocab": c2 - c1, "cpu_batches": c3 - c2,
        "examples": len(train) + len(test), "tokens": tokens, "vocab_size": len(itos), "itos10": itos[:10],
        "labels": label_stoi and dict(label_stoi), "batch_count": batch_count, "cells": cells,
        "checksum": checksum % 1000000007,
    }))


if __name__ == "__main__":
    main(sys.argv[1], "--no-tensors" not in sys.argv[2:])
