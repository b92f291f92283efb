#!/usr/bin/python3
"""Python side of bench/pipeline: the same 50,000 reviews through the
torchtext-style pipeline: read the archive, tokenize with torchtext's
basic_english (loaded by file path), build a collections.Counter vocabulary
sorted as legacy torchtext sorts it (by word, then stable by frequency
descending; <unk> <pad> first, max_size on the train split), numericalize
with lists. Prints one JSON object of timings (seconds) and counts.
"""
import collections
import importlib.util
import json
import re
import sys
import tarfile
import time

UTILS = "/usr/lib/python3/dist-packages/torchtext/data/utils.py"
ENTRY = re.compile(r"^(?:\./)?(?:[^/]+/)?(train|test)/(neg|pos)/(\d+)_(\d+)\.txt$")


def main(archive, max_size):
    spec = importlib.util.spec_from_file_location("torchtext_data_utils", UTILS)
    utils = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(utils)
    tokenize = utils._basic_english_normalize

    c0 = time.process_time()
    t0 = time.perf_counter()
    reviews = []
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            m = ENTRY.match(member.name)
            if not m or not member.isfile():
                continue
            text = tar.extractfile(member).read().decode("utf-8")
            reviews.append(((["train", "test"].index(m.group(1)), m.group(2), int(m.group(3))), text))
    reviews.sort(key=lambda r: r[0])
    t1 = time.perf_counter()
    tokens = [tokenize(text) for _, text in reviews]
    t2 = time.perf_counter()
    counter = collections.Counter()
    n_train = 0
    for (split, _, _), toks in zip((r[0] for r in reviews), tokens):
        if split == 0:
            counter.update(toks)
            n_train += 1
    specials = ["<unk>", "<pad>"]
    itos = list(specials)
    words = sorted(counter.items(), key=lambda tup: tup[0])
    words.sort(key=lambda tup: tup[1], reverse=True)
    for word, freq in words:
        if len(itos) == max_size + len(specials):
            break
        itos.append(word)
    stoi = collections.defaultdict(int)
    stoi.update({w: i for i, w in enumerate(itos)})
    t3 = time.perf_counter()
    ids = [[stoi[t] for t in toks] for toks in tokens]
    t4 = time.perf_counter()
    c4 = time.process_time()
    print(json.dumps({
        "read": t1 - t0, "tokenize": t2 - t1, "vocab": t3 - t2, "numericalize": t4 - t3, "total": t4 - t0, "cpu": c4 - c0,
        "reviews": len(reviews), "train": n_train, "tokens": sum(len(t) for t in tokens), "vocab_size": len(itos),
        "itos10": itos[:10], "checksum": sum(sum(x) for x in ids) % 1000000007,
    }))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 25000)
