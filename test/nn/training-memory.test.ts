// 1,000 training steps of a recurrent model: live native tensors stay flat, RSS grows < 20 MB.
import { nn, optim, tensor, tidy, liveTensors, manualSeed, Tensor, randint } from '../../lib';
import { DEVICE } from '../helpers/device';

class Model extends nn.Module {
  embedding = new nn.Embedding(200, 16, { paddingIdx: 1 });
  rnn = new nn.LSTM(16, 32, { bidirectional: true });
  fc = new nn.Linear(64, 1);
  forward(text: Tensor, lengths: number[]): Tensor {
    return tidy(() => {
      const packed = nn.packPaddedSequence(this.embedding.forward(text), lengths, { enforceSorted: false });
      const [, [h]] = this.rnn.forward(packed);
      return this.fc.forward(h.permute(1, 0, 2).reshape(h.shape[1], -1)).squeeze(1);
    });
  }
}

test('1,000 forward/backward/step iterations keep live tensors flat and RSS growth under 20 MB', () => {
  manualSeed(0);
  const model = new Model().to(DEVICE);
  const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const crit = new nn.BCEWithLogitsLoss();
  const text = randint(0, 200, [12, 8], { device: DEVICE });
  const lengths = [12, 3, 7, 12, 5, 9, 1, 4];
  const y = tensor([1, 0, 1, 0, 1, 0, 1, 0], { device: DEVICE });
  const step = () => tidy(() => {
    opt.zeroGrad();
    const loss = crit.forward(model.forward(text, lengths), y);
    loss.backward();
    opt.step();
    return loss.item() as number;
  });
  for (let i = 0; i < 50; i++) step(); // warm up allocator pools and optimizer state
  if (global.gc) global.gc();
  const live = liveTensors();
  const rss = process.memoryUsage().rss;
  let loss = 0;
  for (let i = 0; i < 1000; i++) {
    loss = step();
    if (i % 250 === 0) expect(liveTensors()).toBe(live);
  }
  expect(liveTensors()).toBe(live);
  expect((process.memoryUsage().rss - rss) / 1e6).toBeLessThan(20);
  expect(loss).toBeLessThan(0.1); // it learned the 8 labels
  model.dispose();
  opt.dispose();
});
