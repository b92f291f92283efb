#!/usr/bin/python3
"""torchtext's basic_english as the reference for the TypeScript port.

Loads torchtext/data/utils.py by file path (Debian's python3-torchtext 0.14:
`import torchtext` fails because its C++ extension does not load, but this
pure-Python file does) and runs `_basic_english_normalize`.

  basic-english-reference.py            JSON array of strings on stdin -> JSON array of token lists
  basic-english-reference.py ARCHIVE    one line per review of ARCHIVE (sorted as lib/data/imdb.ts
                                        sorts them): "<split>/<label>/<id> <sha256 of tokens joined by U+001F>"
"""
import hashlib
import importlib.util
import json
import re
import sys
import tarfile

UTILS = "/usr/lib/python3/dist-packages/torchtext/data/utils.py"


def load_normalize():
    spec = importlib.util.spec_from_file_location("torchtext_data_utils", UTILS)
    if spec is None:
        sys.exit(f"cannot load {UTILS}: install python3-torchtext")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._basic_english_normalize


ENTRY = re.compile(r"^(?:\./)?(?:[^/]+/)?(train|test)/(neg|pos)/(\d+)_(\d+)\.txt$")


def read_reviews(archive):
    reviews = []
    with tarfile.open(archive, "r:*") as tar:
        for member in tar:
            m = ENTRY.match(member.name)
            if not m or not member.isfile():
                continue
            text = tar.extractfile(member).read().decode("utf-8")
            line = re.split(r"[\r\n]", text, maxsplit=1)[0]
            reviews.append(((["train", "test"].index(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))), line))
    reviews.sort(key=lambda r: r[0])
    return reviews


def main():
    normalize = load_normalize()
    if len(sys.argv) > 1:
        for (split, label, rid, _), text in read_reviews(sys.argv[1]):
            digest = hashlib.sha256("\x1f".join(normalize(text)).encode("utf-8")).hexdigest()
            print(f"{['train', 'test'][split]}/{label}/{rid} {digest}")
        return
    texts = json.load(sys.stdin)
    json.dump([normalize(t) for t in texts], sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
