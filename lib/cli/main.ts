#!/usr/bin/env node
// torch-sentiment: train, evaluate and predict from the command line.
import * as fs from 'fs';
import * as os from 'os';
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
  launch SCRIPT [ARGS...]
                        run SCRIPT (.js or .ts) in N processes for data-parallel training, as torchrun
                        (see docs/distributed.md)

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
  --nproc N             data-parallel training in N processes on this machine's CPU (c10d Gloo,
                        DistributedDataParallel; each on 1/N of the training set; see docs/distributed.md)

serve options:
  --port N              port to listen on (default 8080)
  --host ADDR           address to listen on (default 127.0.0.1)
  --workers N           worker threads, each holding the model (default 1)

launch options (before SCRIPT; everything after SCRIPT is passed to it):
  --nproc-per-node N    processes on this node (default 1)
  --nnodes N            nodes in the job (default 1; then also --node-rank, --master-addr, --master-port)
  --node-rank R         this node's index in [0, nnodes) (default 0)
  --master-addr ADDR    address of rank 0's node (default 127.0.0.1)
  --master-port P       rendezvous port (default: a free port)
  --no-prefix           do not prefix the ranks' output lines with [rank N]

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

/** `launch`'s options that take a value (torchrun spells them with - or _). */
const LAUNCH_VALUED = new Set(['--nproc-per-node', '--nnodes', '--node-rank', '--master-addr', '--master-port']);
/** More ranks on one node than this is a mistake (lib/distributed/launch.ts refuses them too). */
const MAX_NPROC = 1024;

/**
 * `torch-sentiment launch [options] SCRIPT [ARGS...]`: its options end at the first argument that is not
 * one (or at `--`); what follows is the script's, flags included, so it is parsed here and not by the
 * common parseArgs.
 */
async function launchCommand(argv: string[]): Promise<number> {
  const values: Record<string, string> = {};
  let prefix = true;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    if (a === '-h' || a === '--help') {
      process.stdout.write(HELP);
      return 0;
    }
    if (a === '--no-prefix') {
      prefix = false;
      continue;
    }
    const eq = a.indexOf('=');
    const flag = (eq < 0 ? a : a.slice(0, eq)).replace(/_/g, '-');
    if (!LAUNCH_VALUED.has(flag)) throw new UsageError(`launch: unknown option '${a}' (launch options come before the script; see --help)`);
    if (eq < 0 && i + 1 >= argv.length) throw new UsageError(`Option '${flag} <value>' argument missing`);
    values[flag.slice(2)] = eq < 0 ? argv[++i] : a.slice(eq + 1);
  }
  const [script, ...args] = argv.slice(i);
  if (script === undefined) throw new UsageError('launch needs a script: torch-sentiment launch --nproc-per-node 2 train.js [args...]');
  const nprocPerNode = int('nproc-per-node', values['nproc-per-node'], 1, 1, MAX_NPROC);
  const nnodes = int('nnodes', values.nnodes, 1, 1, MAX_NPROC);
  const nodeRank = int('node-rank', values['node-rank'], 0, 0, nnodes - 1);
  const masterAddr = values['master-addr'];
  if (masterAddr === '') throw new UsageError(`--master-addr expects a host name or address, got ''`);
  const masterPort = values['master-port'] === undefined ? undefined : int('master-port', values['master-port'], 0, 1, 65535);
  if (nnodes > 1 && (masterAddr === undefined || masterPort === undefined)) {
    throw new UsageError(`--nnodes ${nnodes} needs --master-addr and --master-port (rank 0's node, the same on every node)`);
  }
  if (!fs.existsSync(script)) throw new UsageError(`launch: script ${script} does not exist`);
  const { launch, LaunchError } = await import('../distributed/launch');
  try {
    return await launch({ nprocPerNode, nnodes, nodeRank, script, args, masterAddr, masterPort, prefixOutput: prefix });
  } catch (e) {
    if (!(e instanceof LaunchError)) throw e;
    // The whole message: it holds the failing rank's last stderr lines.
    console.error(`torch-sentiment: ${e.message}`);
    // Interrupted: the shell's code for the signal (130 for SIGINT), as if the launcher had been killed by it.
    if (e.code === 'ERR_LAUNCH_INTERRUPTED' && e.signal) return 128 + os.constants.signals[e.signal];
    return 1;
  }
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'launch') return launchCommand(argv.slice(1));
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
        nproc: { type: 'string' },
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
  if (!command) throw new UsageError('missing command: train, evaluate, predict, serve or launch (see --help)');
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
      const nproc = int('nproc', o.nproc, 1, 1, MAX_NPROC);
      if (nproc > 1) {
        if (nbsvm) throw new UsageError('--nproc: nbsvm trains in one process (its features are counted once); use rnn, lstm, fasttext or cnn');
        if (device !== 'auto' && device !== 'cpu') throw new UsageError(`--nproc: data-parallel training runs on the CPU (c10d's Gloo backend), got --device ${device}`);
        if (threads !== undefined && threads * nproc > os.cpus().length) console.warn(`warning: ${nproc} processes x ${threads} threads > ${os.cpus().length} cores`);
        // As torchrun: the same command in N processes, each told its rank by the environment.
        const args = argv.filter((a, i) => !(a === '--nproc' || argv[i - 1] === '--nproc' || a.startsWith('--nproc='))).filter((a, i, all) => !(a === '--device' || all[i - 1] === '--device' || a.startsWith('--device=')));
        return launchCommand(['--nproc-per-node', String(nproc), '--', __filename, ...args, '--device', 'cpu']);
      }
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
    case 'launch':
      throw new UsageError('launch comes first, then its options: torch-sentiment launch --nproc-per-node N SCRIPT [ARGS...]');
    default:
      throw new UsageError(`unknown command '${command}': use train, evaluate, predict, serve or launch (see --help)`);
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
