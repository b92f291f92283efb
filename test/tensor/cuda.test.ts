// CUDA-only checks. Skipped (with a printed reason) where no GPU is present; scripts/gpu-check.sh also
// reruns the whole tensor, memory and nn suites with TORCH_SENTIMENT_TEST_DEVICE=cuda.
import { cuda, tensor, zeros, randn, liveTensors, tidy, nn, TorchError } from '../../lib';
import { describeCuda } from '../helpers/device';

describeCuda('CUDA tensors', () => {
  test('device count and placement', () => {
    expect(cuda.deviceCount()).toBeGreaterThan(0);
    const t = zeros([2, 2], { device: 'cuda' });
    expect(t.device).toBe('cuda:0');
    expect(t.cpu().device).toBe('cpu');
  });

  test('results match the CPU', () => {
    const a = randn([64, 256]);
    const b = randn([256, 256]);
    const cpu = a.matmul(b);
    const gpu = a.cuda().matmul(b.cuda()).cpu();
    expect(gpu.sub(cpu).abs().amax().item()).toBeLessThan(1e-3);
  });

  test('mixing devices is a TorchError, not a crash', () => {
    expect(() => zeros([2], { device: 'cuda' }).add(zeros([2]))).toThrow(TorchError);
  });

  test('out-of-range token ids on the GPU are caught before the kernel', () => {
    const emb = new nn.Embedding(10, 4).to('cuda');
    expect(() => emb.forward(tensor([1, 10], { dtype: 'int64', device: 'cuda' }))).toThrow(/index out of range/);
    expect(emb.forward(tensor([1, 9], { dtype: 'int64', device: 'cuda' })).shape).toEqual([2, 4]);
  });

  test('nn.functional.embedding and crossEntropy targets are guarded as well', () => {
    const w = randn([10, 4], { device: 'cuda' });
    // int64 data: the range is found on the device; Int32Array data: recorded on the host when made.
    expect(() => nn.functional.embedding(tensor([1, 10], { dtype: 'int64', device: 'cuda' }), w)).toThrow(/index out of range: input holds values in \[1, 10\]/);
    expect(() => nn.functional.embedding(tensor(new Int32Array([-1, 3]), { device: 'cuda' }), w)).toThrow(/index out of range: input holds values in \[-1, 3\]/);
    const logits = zeros([2, 3], { device: 'cuda' });
    expect(() => nn.functional.crossEntropy(logits, tensor([0, 3], { dtype: 'int64', device: 'cuda' }))).toThrow(/Target 3 is out of bounds/);
    expect(nn.functional.crossEntropy(logits, tensor(new Int32Array([0, -100]), { dtype: 'int64', device: 'cuda' })).item()).toBeCloseTo(Math.log(3), 5);
    // Nothing reached the device assert: the CUDA context still works.
    expect(zeros([2], { device: 'cuda' }).add(1).sum().item()).toBe(2);
  });

  test('tidy frees GPU tensors', () => {
    const before = liveTensors();
    tidy(() => {
      for (let i = 0; i < 1000; i++) randn([64, 64], { device: 'cuda' }).relu();
      return undefined;
    });
    expect(liveTensors()).toBe(before);
  });
});
