// The device the tensor, memory and nn tests run on: 'cpu' unless TORCH_SENTIMENT_TEST_DEVICE says
// otherwise (scripts/gpu-check.sh runs them again with 'cuda').
import { cuda } from '../../lib';

export const DEVICE = process.env.TORCH_SENTIMENT_TEST_DEVICE ?? 'cpu';
if (DEVICE.startsWith('cuda') && !cuda.isAvailable()) {
  throw new Error(`TORCH_SENTIMENT_TEST_DEVICE=${DEVICE} but CUDA is not available`);
}

/** `describe` for CUDA-only tests: skipped, with the reason printed, when no GPU is present. */
export const describeCuda: jest.Describe = cuda.isAvailable()
  ? describe
  : ((name: string, fn: () => void) => {
      // eslint-disable-next-line no-console
      console.log(`skipping "${name}": CUDA is not available here (no GPU or a CPU-only libtorch)`);
      describe.skip(name, fn);
    }) as jest.Describe;
