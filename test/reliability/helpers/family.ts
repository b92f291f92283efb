// Counting for the tensor-surface families of the reliability suite: each attempt is a hostile call
// that must end in a clear error (or a correct result), with the live-tensor count back where it was.
import { liveTensors } from '../../../lib/tensor';

export interface FamilyCounts {
  attempts: number;
  handled: number;
  crashes: number;
  leaks: number;
}

/**
 * Runs each case, which must throw an error matching its pattern; counts attempts, handled (threw as
 * expected) and leaks (tensors alive after the case that were not before). Returns the counts and
 * prints them as the suite's other families do.
 */
export function runFamily(family: string, cases: Array<[string, () => unknown, RegExp]>): FamilyCounts {
  const counts: FamilyCounts = { attempts: 0, handled: 0, crashes: 0, leaks: 0 };
  const unexpected: string[] = [];
  for (const [label, run, pattern] of cases) {
    counts.attempts++;
    const live = liveTensors();
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    if (error instanceof Error && pattern.test(`${error.name}: ${error.message}`)) counts.handled++;
    else unexpected.push(`${label}: ${error instanceof Error ? `${error.name}: ${error.message}` : `no error (${String(error)})`}`);
    counts.leaks += Math.max(0, liveTensors() - live);
  }
  report(family, counts);
  expect(unexpected).toEqual([]);
  expect(counts).toEqual({ attempts: cases.length, handled: cases.length, crashes: 0, leaks: 0 });
  return counts;
}

export function report(family: string, c: FamilyCounts): void {
  console.log(`${family}: attempts ${c.attempts}, handled ${c.handled}, crashes: ${c.crashes}, leaks: ${c.leaks}`);
}
