import { Tensor, noGrad } from '../tensor';
import { tidy } from '../scope';
import { checkTensor } from '../validate';

/**
 * Accuracy of logits against 0/1 labels, as the tutorial's binary_accuracy: round(sigmoid(preds)),
 * compare, mean. Returns a number (the tutorial's `acc.item()`).
 */
export function binaryAccuracy(preds: Tensor, y: Tensor): number {
  return tidy(() => binaryAccuracyTensor(preds, y).item() as number);
}

/**
 * The same as a one-element tensor, not yet read back: the training loop reads it after the
 * optimizer step, so the GPU is not drained between forward and backward (as the tutorial's
 * `acc.item()` after `optimizer.step()`).
 */
export function binaryAccuracyTensor(preds: Tensor, y: Tensor): Tensor {
  checkTensor('preds', preds);
  checkTensor('y', y);
  return noGrad(() =>
    tidy(() => {
      const rounded = preds.sigmoid().round();
      const correct = rounded.eq(y).float();
      return correct.sum().div(correct.numel);
    }),
  );
}

/** Minutes and seconds between two Date.now()/performance.now() millisecond stamps, as epoch_time. */
export function epochTime(startMs: number, endMs: number): { mins: number; secs: number } {
  const elapsed = (endMs - startMs) / 1000;
  const mins = Math.floor(elapsed / 60);
  return { mins, secs: Math.floor(elapsed - mins * 60) };
}
