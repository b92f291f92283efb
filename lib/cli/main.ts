#!/usr/bin/env node
// torch-sentiment: train, evaluate and predict from the command line.
import * as fs from 'fs';
import { MAX_THREADS } from '../validate';
import { parseArgs } from 'util';
import { NBSVM_DEFAULTS } from '../models/nbsvm-defaults';
// The commands (and with them the native addon) load only when a command runs, so --help and usage
// errors work without libtorch.
type Commands = typeof import('./commands');
const commands = (): Commands => require('./commands') as Commands;

const HELP = `torch-sentiment <command> [options]

Commands:
  train                 Train a model on IMDb and save a bundle (weights, vocabulary, settings)
  evaluate BUNDLE       Loss and accuracy of a saved bundle on the IMDb test split
  predict TEXT...       Probability that TEXT is positive, with a saved bundle
  serve                 HTTP server for a saved bundle: POST /v1/predict, /healthz, /metrics, a demo page at /

train options:
  --model NAME          rnn (the tutorial's, default) | lstm | fasttext | cnn | nbsvm
                        (nbsvm: n-gram Naive Bayes features + a linear layer, ~92% in a minute)
  --epochs N            training epochs (default 5; nbsvm 2)
  --batch-size N        examples per batch (default 64)
  --vocab-size N        most frequent words kept, plus <unk> and <pad> (default 25000; not nbsvm,
                        which keeps the 1-3-grams found in >= 2 training reviews)
  --lr X                learning rate (default 1e-3; nbsvm 3e-3)
  --optimizer NAME      sgd (default for rnn) | adam (default for the others)
  --seed N              seed of the split, shuffles and initial weights (default 1234)
  --tokenizer NAME      spacy (default; nbsvm basic_english) | basic_english | whitespace
  --full-train          (nbsvm) train on all 25,000 training reviews, no validation split
  --vectors PATH|URL    pretrained word vectors (GloVe .txt, .vec, optionally .gz/.zip) for the
                        embedding, as tutorial 2 (the embedding size becomes theirs; see docs/vectors.md)
  --out DIR             output folder (default runs/<model>): bundle/, metrics.json, curves.svg

serve options:
  --port N              port to listen on (default 8080)
  --host ADDR           address to listen on (default 127.0.0.1)
  --workers N           worker threads, each holding the model (default 1)

common options:
  --data PATH           IMDb source: a .tar.gz archive or an extracted aclImdb folder
                        (default: $TORCH_SENTIMENT_IMDB, else download the official archive once
                        into $TORCH_SENTIMENT_HOME, default ~/.cache/torch-sentiment)
  --device NAME         auto (default) | cpu | cuda | cuda:N
  --model-dir DIR       (evaluate, predict, serve) the bundle folder (default runs/rnn/bundle)
  --threads N           libtorch intra-op threads
  --no-progress         no progress bars
  -h, --help            this help
  -v, --version         versions of this package and of libtorch
`;

class UsageError extends Error {}

function int(name: string, value: string | undefined, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new UsageError(`--${name} expects an integer ${range}, got '${value}'`);
  }
  return n;
}

function num(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} expects a positive number, got '${value}'`);
  return n;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new UsageError(`--${name} expects one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

/** Options that take a value (what follows them is their value, even when it looks like a flag). */
const VALUED = new Set(['--model', '--epochs', '--batch-size', '--vocab-size', '--lr', '--optimizer', '--seed', '--tokenizer',
  '--out', '--data', '--device', '--model-dir', '--threads']);

/**
 * `--batch-size -1` as `--batch-size=-1`: parseArgs takes a value starting with '-' for a flag
 * ("argument is ambiguous"), but a negative number after an option that takes a value is its value,
 * to be refused with the range it should lie in.
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (VALUED.has(argv[i]) && i + 1 < argv.length && /^-[\d.]/.test(argv[i + 1])) {
      out.push(`${argv[i]}=${argv[i + 1]}`);
      i++;
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}


export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv),
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        'vocab-size': { type: 'string' },
        lr: { type: 'string' },
        optimizer: { type: 'string' },
        seed: { type: 'string' },
        tokenizer: { type: 'string' },
        out: { type: 'string' },
        data: { type: 'string' },
        device: { type: 'string' },
        'model-dir': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        workers: { type: 'string' },
        threads: { type: 'string' },
        'no-progress': { type: 'boolean' },
        'full-train': { type: 'boolean' },
        vectors: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const { values: o, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (o.help || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (o.version) {
    const { addonInfo } = await import('../native');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pkg = require('../../package.json') as { version: string };
    console.log(`torch-sentiment ${pkg.version}, libtorch ${addonInfo.libtorchVersion} (${addonInfo.variant})`);
    return 0;
  }
  if (!command) throw new UsageError('missing command: train, evaluate, predict or serve (see --help)');
  const device = o.device ?? 'auto';
  if (!/^(auto|cpu|cuda(:\d+)?)$/.test(device)) throw new UsageError(`--device expects auto, cpu, cuda or cuda:N, got '${device}'`);
  const data = o.data ?? (process.env.TORCH_SENTIMENT_IMDB || undefined);
  if (data !== undefined && !fs.existsSync(data)) throw new UsageError(`--data: ${data} does not exist`);
  const threads = o.threads === undefined ? undefined : int('threads', o.threads, 1, 1, MAX_THREADS);
  const progress = !o['no-progress'];
  switch (command) {
    case 'train': {
      if (rest.length) throw new UsageError(`train takes no positional arguments, got '${rest[0]}'`);
      const model = oneOf('model', o.model, ['rnn', 'lstm', 'fasttext', 'cnn', 'nbsvm'] as const, 'rnn');
      const nbsvm = model === 'nbsvm';
      if (nbsvm && o.optimizer !== undefined && o.optimizer !== 'adam') throw new UsageError(`--optimizer: nbsvm trains with adam only, got '${o.optimizer}'`);
      if (o.vectors !== undefined && nbsvm) throw new UsageError('--vectors: nbsvm has no word embedding (its features are n-grams)');
      if (o.vectors !== undefined && !/^https?:\/\//.test(o.vectors) && !fs.existsSync(o.vectors)) throw new UsageError(`--vectors: ${o.vectors} does not exist`);
      if (o['full-train'] && !nbsvm) throw new UsageError(`--full-train is for --model nbsvm (the others keep the best epoch on the validation split), got --model ${model}`);
      // Every flag is checked before the commands (and libtorch) load: a usage error is instant.
      const settings = {
        model,
        epochs: int('epochs', o.epochs, nbsvm ? NBSVM_DEFAULTS.epochs : 5),
        batchSize: int('batch-size', o['batch-size'], 64),
        vocabSize: int('vocab-size', o['vocab-size'], 25000),
        lr: num('lr', o.lr, nbsvm ? NBSVM_DEFAULTS.lr : 1e-3),
        optimizer: oneOf('optimizer', o.optimizer, ['sgd', 'adam'] as const, model === 'rnn' ? 'sgd' : 'adam'),
        seed: int('seed', o.seed, 1234, 0),
        tokenizer: oneOf('tokenizer', o.tokenizer, ['spacy', 'basic_english', 'whitespace'] as const, nbsvm ? 'basic_english' : 'spacy'),
        fullTrain: Boolean(o['full-train']),
        vectors: o.vectors,
        out: o.out ?? `runs/${model}`,
        data,
        device,
        threads,
        progress,
      };
      await commands().runTrain(settings);
      return 0;
    }
    case 'evaluate': {
      const dir = rest[0] ?? o['model-dir'] ?? 'runs/rnn/bundle';
      if (!fs.existsSync(dir)) throw new UsageError(`evaluate: bundle folder ${dir} does not exist (train one first: torch-sentiment train)`);
      const batchSize = int('batch-size', o['batch-size'], 64);
      await commands().runEvaluate({ dir, data, device, batchSize, threads, progress });
      return 0;
    }
    case 'predict': {
      if (!rest.length) throw new UsageError('predict needs a text: torch-sentiment predict "This film is great"');
      const dir = o['model-dir'] ?? 'runs/rnn/bundle';
      if (!fs.existsSync(dir)) throw new UsageError(`predict: bundle folder ${dir} does not exist (train one first, or pass --model-dir)`);
      commands().runPredict({ dir, text: rest.join(' '), device, threads });
      return 0;
    }
    case 'serve': {
      if (rest.length) throw new UsageError(`serve takes no positional arguments, got '${rest[0]}'`);
      const port = int('port', o.port, 8080, 0);
      const workers = int('workers', o.workers, 1);
      const dir = o['model-dir'] ?? 'runs/rnn/bundle';
      if (!fs.existsSync(dir)) throw new UsageError(`serve: bundle folder ${dir} does not exist (train one first, or pass --model-dir)`);
      // The server loads the addon only in its worker threads.
      const { startServer } = await import('../serve/server');
      const server = await startServer({ modelDir: dir, port, host: o.host ?? '127.0.0.1', workers, device: device === 'auto' ? undefined : device, threads });
      const loaded = await server.ready.then(() => true, (e: Error) => (console.error(`torch-sentiment: ${e.message}`), false));
      if (!loaded) {
        await server.close();
        return 1;
      }
      await server.closed;
      return 0;
    }
    default:
      throw new UsageError(`unknown command '${command}': use train, evaluate, predict or serve (see --help)`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      console.error(`torch-sentiment: ${e.name === 'LoadError' ? e.message : e.message.split('\n')[0]}`);
      process.exit(e instanceof UsageError ? 2 : 1);
    },
  );
}
