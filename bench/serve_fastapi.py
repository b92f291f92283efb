"""The baseline of bench/serve: FastAPI + uvicorn + PyTorch serving a torch-sentiment bundle's model.pt,
as a Python user would write it (a regex tokenizer, one text per request, a sync endpoint).

    BUNDLE_DIR=runs/fasttext/bundle /usr/bin/python3 bench/serve_fastapi.py --port 8000 --workers 1
"""
import argparse
import json
import os
import re

import torch
from fastapi import FastAPI
from pydantic import BaseModel

from tutorial_models import build  # the tutorials' classes, as a Python user writes them

torch.set_num_threads(1)  # one thread per worker process, as the Node side's workers


def load(bundle):
    with open(os.path.join(bundle, 'config.json')) as f:
        config = json.load(f)
    with open(os.path.join(bundle, 'vocab.json')) as f:
        itos = json.load(f)['itos']
    m = config['model']
    if m['model'] not in ('rnn', 'fasttext'):
        raise SystemExit(f"bench/serve_fastapi.py serves rnn and fasttext bundles, not {m['model']}")
    model = build(m)
    model.load_state_dict(torch.load(os.path.join(bundle, 'model.pt')))
    model.eval()
    return model, {w: i for i, w in enumerate(itos)}, config['labels'], config.get('preprocessing') == 'bigrams'


def generate_bigrams(x):
    # Tutorial 3's: each distinct pair of neighbours once, after the words (FastText bundles train with it).
    n_grams = set(zip(*[x[i:] for i in range(2)]))
    for n_gram in n_grams:
        x.append(' '.join(n_gram))
    return x


model, stoi, labels, bigrams = load(os.environ['BUNDLE_DIR'])
UNK = stoi.get('<unk>', 0)
TOKEN = re.compile(r"\w+|[^\w\s]")

app = FastAPI()


class Body(BaseModel):
    text: str


@app.get('/healthz')
def healthz():
    return {'status': 'ok'}


@app.post('/v1/predict')
def predict(body: Body):
    tokens = TOKEN.findall(body.text)
    if bigrams:
        tokens = generate_bigrams(tokens)
    ids = [stoi.get(t, UNK) for t in tokens] or [UNK]
    with torch.no_grad():
        p = torch.sigmoid(model(torch.tensor(ids).unsqueeze(1))).item()
    return {'label': labels[1 if p >= 0.5 else 0], 'probability': p}


if __name__ == '__main__':
    import uvicorn
    parser = argparse.ArgumentParser()
    parser.add_argument('--port', type=int, default=8000)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--workers', type=int, default=1)
    a = parser.parse_args()
    uvicorn.run('serve_fastapi:app', host=a.host, port=a.port, workers=a.workers, log_level='warning',
                access_log=False, app_dir=os.path.dirname(os.path.abspath(__file__)))
