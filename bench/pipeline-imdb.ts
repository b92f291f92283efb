/**
 * The tutorial's data steps on the real IMDb archive, through the public API
 * (IMDB.splits with the spaCy-compatible tokenizer, split, buildVocab,
 * BucketIterator.splits), printing the figures a reader checks against the
 * PyTorch tutorial. Tensors are created for one batch per iterator only when
 * --tensors is given (needs the native addon), on --device (default cpu; 'cuda'
 * on a CUDA build).
 *
 *   bench/pipeline.sh imdb [--archive PATH] [--seed 1234] [--tensors [--device cuda]]
 */
import * as path from 'node:path';
import { BucketIterator, Field, IMDB, LabelField } from '../lib/data';

const REPO = path.resolve(__dirname, '..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const archive = path.resolve(arg('--archive') ?? process.env.IMDB_ARCHIVE ?? path.join(REPO, '..', 'shared', 'data', 'aclImdb-labelled.tar.gz'));
  const seed = Number(arg('--seed') ?? 1234);
  const t0 = performance.now();
  const TEXT = new Field({ tokenize: 'spacy', tokenizerLanguage: 'en_core_web_sm' });
  const LABEL = new LabelField({ dtype: 'float32' });
  const [trainFull, testData] = await IMDB.splits(TEXT, LABEL, { archive });
  const t1 = performance.now();
  console.log(`IMDB.splits (read + spaCy tokenize): ${((t1 - t0) / 1000).toFixed(2)} s`);
  console.log(`train ${trainFull.length}, test ${testData.length}`);
  console.log(`train[0]: label ${trainFull.examples[0].label}, text[:12] ${JSON.stringify(trainFull.examples[0].text.slice(0, 12))}`);
  const [trainData, validData] = trainFull.split({ ratio: 0.7, seed });
  console.log(`split (seed ${seed}): train ${trainData.length}, valid ${validData.length}`);
  const t2 = performance.now();
  TEXT.buildVocab(trainData, { maxSize: 25000 });
  LABEL.buildVocab(trainData);
  const t3 = performance.now();
  const vocab = TEXT.vocab!;
  console.log(`buildVocab: ${((t3 - t2) / 1000).toFixed(2)} s; unique tokens in train ${vocab.freqs.size}; vocab size ${vocab.length}`);
  console.log(`most common 20: ${JSON.stringify(vocab.freqs.mostCommon(20))}`);
  console.log(`itos[:10]: ${JSON.stringify(vocab.itos.slice(0, 10))}`);
  console.log(`LABEL.vocab.stoi: ${JSON.stringify(LABEL.vocab!.stoi.toObject())}`);
  const device = arg('--device') ?? 'cpu';
  const its = BucketIterator.splits([trainData, validData, testData], { batchSize: 64, device, seed });
  console.log(`batches: train ${its[0].length}, valid ${its[1].length}, test ${its[2].length}`);
  if (process.argv.includes('--tensors')) {
    for (const it of its) {
      for (const batch of it) {
        console.log(`first batch: text ${batch.text.dtype} [${batch.text.shape}], label ${batch.label.dtype} [${batch.label.shape}] on ${batch.text.device}`);
        batch.dispose();
        break;
      }
    }
  }
  console.log(`total: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
