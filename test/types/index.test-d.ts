// Type tests of the public surface (tsd): key signatures hold, and internals are not exported.
// `npm run test:types` builds dist/ and checks these against dist/index.d.ts, the declarations users
// get (package.json "types"). Not part of tsconfig.json's program: the expectError lines are type
// errors on purpose.
import { expectAssignable, expectError, expectType } from 'tsd';
import * as torch from '../..';
import { Tensor, nn, optim, data, models } from '../..';

// ---- factories ----
expectType<Tensor>(torch.tensor([1, 2, 3]));
expectType<Tensor>(torch.tensor(new Float32Array(4), { shape: [2, 2], dtype: 'float64', device: 'cpu', requiresGrad: true }));
expectType<Tensor>(torch.tensor([[true, false]]));
expectType<Tensor>(torch.zeros([2, 3], { dtype: 'int64' }));
expectType<Tensor>(torch.full([2], 0.5));
expectType<Tensor>(torch.randint(0, 10, [4]));
expectType<Tensor>(torch.arange(5));
expectType<Tensor>(torch.arange(0, 1, 0.25, { dtype: 'float64' }));
expectType<Tensor>(torch.cat([torch.zeros([1]), torch.ones([1])], 0));
expectType<Tensor>(torch.where(torch.ones([1]).bool(), torch.ones([1]), torch.zeros([1])));
expectError(torch.tensor('abc'));
expectError(torch.zeros(3));
expectError(torch.zeros([2], { dtype: 'float128' }));
expectError(torch.zeros([2], { shape: [3] }));

// ---- Tensor ----
const t = torch.randn([2, 3]);
expectType<number[]>(t.shape);
expectType<torch.DType>(t.dtype);
expectType<string>(t.device);
expectType<number | boolean>(t.item());
expectType<torch.TypedArray>(t.toTypedArray());
expectType<Tensor>(t.add(1).mul(t).sum(1, true));
expectType<{ values: Tensor; indices: Tensor }>(t.max(1));
expectType<Tensor>(t.max());
expectType<Tensor>(t.index(0, null, { start: 1 }, '...'));
expectType<Tensor>(t.setData(torch.zeros([4])));
expectType<Tensor | null>(t.grad);
expectType<void>(t.dispose());
expectError(t.add('1'));
expectError(t.setData([1, 2]));

// ---- lifecycle, modes, process settings ----
expectType<number>(torch.liveTensors());
expectType<Tensor>(torch.tidy(() => t.relu()));
expectType<Tensor>(torch.keep(t));
expectType<number>(torch.noGrad(() => 1));
expectType<boolean>(torch.isGradEnabled());
expectType<void>(torch.manualSeed(0));
expectType<void>(torch.setNumThreads(1));
expectType<number>(torch.getNumThreads());
expectType<boolean>(torch.setFlushDenormal(true));
expectType<boolean>(torch.setBlasThreads(1));
expectType<boolean>(torch.tuneAllocator({ mmapThreshold: 1 << 20 }));
expectError(torch.tuneAllocator({ mmap: 1 }));
expectType<boolean>(torch.backends.setFusedCpuRnn(false));
expectType<boolean>(torch.cuda.isAvailable());
expectType<string>(torch.resolveDevice('auto'));
expectAssignable<Error>(new torch.TorchError('x'));
expectAssignable<Error>(new torch.LoadError('x'));
expectType<'cpu' | 'cuda'>(torch.addonInfo.variant);
expectAssignable<readonly string[]>(torch.DTYPES);

// ---- nn, optim, serialization, models, data, training ----
const lstm = new nn.LSTM(8, 16, { numLayers: 2, bidirectional: true });
expectAssignable<nn.Module>(lstm);
expectType<Array<[string, Tensor]>>(lstm.namedParameters());
expectType<Tensor>(new nn.Linear(4, 2).forward(t.narrow(1, 0, 2).expand(2, 4)));
expectType<Tensor>(nn.functional.embedding(torch.tensor([1], { dtype: 'int64' }), torch.randn([4, 2])));
expectType<Tensor>(nn.functional.crossEntropy(t, torch.tensor([0, 1], { dtype: 'int64' }), { ignoreIndex: -1 }));
expectError(nn.functional.crossEntropy(t, t, { reduction: 'avg' }));
expectAssignable<optim.Optimizer>(new optim.Adam(lstm.parameters(), { lr: 1e-3 }));
expectType<void>(torch.save(lstm.stateDict(), 'model.pt'));
expectType<Record<string, Tensor>>(torch.load('model.pt'));
expectError(torch.save(lstm.stateDict()));
expectAssignable<torch.TorchError>(new torch.CheckpointError('model.pt', 'ERR_CHECKPOINT_ZIP', 'bad'));
expectType<torch.CheckpointErrorCode>(new torch.CheckpointError('model.pt', 'ERR_CHECKPOINT_ZIP', 'bad').code);
expectError(new torch.CheckpointError('model.pt', 'ERR_NOPE', 'bad'));
expectAssignable<nn.Module>(models.createModel(models.defaultConfig('rnn', 100, 1)));
expectType<string[]>(data.getTokenizer('basic_english')('A b'));
expectType<number>(torch.binaryAccuracy(t, t));
// issue 14: EmbeddingBag, the NBSVM model, pretrained vectors, the bigram hook
const bag = new nn.EmbeddingBag(10, 4, { mode: 'sum', paddingIdx: 0 });
expectType<Tensor>(bag.forward(torch.tensor([1, 2], { dtype: 'int64' }), torch.tensor([0], { dtype: 'int64' }), torch.tensor([0.5, 2])));
expectError(new nn.EmbeddingBag(10, 4, { mode: 'median' }));
expectAssignable<nn.Module>(models.createModel(models.defaultConfig('nbsvm', 100, 0)));
expectType<Promise<data.Vectors>>(data.Vectors.load('glove.6B.100d.txt', { maxVectors: 1000 }));
expectType<string[]>(data.generateBigrams(['a', 'b']));
expectAssignable<data.FieldOptions>({ tokenize: 'spacy', preprocessing: data.generateBigrams });

// issue 16: process groups, DDP, the launcher, sharding
const { distributed } = torch;
expectType<Promise<void>>(distributed.initProcessGroup({ backend: 'gloo', initMethod: 'env://', timeoutMs: 60000 }));
expectError(distributed.initProcessGroup({ backend: 'mpi' }));
expectType<Promise<void>>(distributed.allReduce(t, 'sum'));
expectError(distributed.allReduce(t, 'avg'));
expectType<Promise<void>>(distributed.broadcast(t, 0));
expectType<Promise<void>>(distributed.barrier());
expectType<number>(distributed.getRank());
expectType<boolean>(distributed.destroyProcessGroup());
const ddp = new distributed.DistributedDataParallel(lstm, { bucketCapMB: 25 });
expectType<typeof lstm>(ddp.module);
expectAssignable<nn.Module>(ddp);
expectError(new distributed.DistributedDataParallel(lstm, { bucketCap: 25 }));
expectType<torch.TorchError>(new distributed.DistributedError('ERR_DIST_PEER', 'gone') as torch.TorchError);
expectError(new distributed.DistributedError('ERR_NOPE', 'x'));
expectType<Promise<number>>(distributed.launch({ nprocPerNode: 2, script: 'train.js' }));
expectAssignable<Iterable<number>>(new distributed.DistributedSampler(100, { numReplicas: 2, rank: 0 }));
expectAssignable<data.IteratorOptions<unknown>>({ batchSize: 8, shard: { rank: 0, worldSize: 2 } });

// ---- internals stay internal ----
expectError(torch.wrap);
expectError(torch.knownRange);
expectError(torch.checkCudaIndices);
expectError(torch.native);
expectError(torch.registerTensorClass);
