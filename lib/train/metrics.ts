import { Tensor, noGrad } from '../tensor';
import { tidy } from '../scope';
import { checkTensor } from '../validate';

/**
 * Accuracy of logits against 0/1 labels, as the tutorial's binary_accuracy: round(sigmoid(preds)),
 * compare, mean. Returns a number (the tutorial's `acc.item()`).
 */
export function binaryAccuracy(preds: Tensor, y: Tensor): number {
  checkTensor('preds', preds);
  checkTensor('y', y);
  return noGrad(() =>
    tidy(() => {
      const rounded = preds.sigmoid().round();
      const correct = rounded.eq(y).float();
      return correct.sum().div(correct.numel).item() as number;
    }),
  );
}

/** Minutes and seconds between two Date.now()/performance.now() millisecond stamps, as epoch_time. */
export function epochTime(startMs: number, endMs: number): { mins: number; secs: number } {
  const elapsed = (endMs - startMs) / 1000;
  const mins = Math.floor(elapsed / 60);
  return { mins, secs: Math.floor(elapsed - mins * 60) };
}
