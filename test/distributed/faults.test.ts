// Faults: a rank that dies, a wrong port, a rendezvous that never completes. Each ends in a
// DistributedError with a code within the group's timeout; nothing hangs (runRanks kills and fails
// any process still running after its limit).
import { distributed } from '../../lib';
import { freePort, runRanks } from './helpers';

const available = distributed.isAvailable();
if (!available) console.warn(`skipping the fault tests: ${distributed.availability().reason}`);
const maybe = available ? describe : describe.skip;

interface Failure {
  name: string;
  code: string;
  message: string;
  afterMs?: number;
}

maybe('distributed faults', () => {
  test('a rank that dies mid-epoch: the survivor gets ERR_DIST_PEER well within the timeout', async () => {
    const timeoutMs = 30000;
    const [r0, r1] = await runRanks([{ args: ['die'] }, { args: ['die'] }], { env: { TS_DIST_TIMEOUT_MS: String(timeoutMs) }, limitMs: timeoutMs + 30000 });
    expect(r1.code).toBe(7);
    expect(r0.code).toBe(0);
    const err = r0.result!.error as Failure;
    console.log(`dead peer: rank 0 got ${err.code} after ${err.afterMs} ms: ${err.message}`);
    expect(err).toMatchObject({ name: 'DistributedError', code: 'ERR_DIST_PEER' });
    expect(err.message).toMatch(/allReduce/);
    expect(err.afterMs!).toBeLessThan(timeoutMs / 2);
  });

  test('a rank that throws with a collective in flight exits at once (not after the timeout), and its peer learns of it', async () => {
    const timeoutMs = 30000;
    const [r0, r1] = await runRanks([{ args: ['throw-pending'] }, { args: ['throw-pending'] }], { env: { TS_DIST_TIMEOUT_MS: String(timeoutMs) }, limitMs: timeoutMs + 30000 });
    expect(r0.code).toBe(1);
    expect(r0.stderr).toMatch(/rank 0 fails with a collective in flight/);
    console.log(`throw with a collective in flight: rank 0 exited after ${r0.ms} ms (timeout ${timeoutMs} ms)`);
    expect(r0.ms).toBeLessThan(timeoutMs / 2);
    expect(r1.code).toBe(0);
    expect(r1.result!.error).toMatchObject({ name: 'DistributedError', code: 'ERR_DIST_PEER' });
  });

  test('a wrong MASTER_PORT: ERR_DIST_TIMEOUT after timeoutMs on both ranks, no hang', async () => {
    const timeoutMs = 3000;
    const wrong = await freePort();
    const [r0, r1] = await runRanks([{ args: ['collectives'] }, { args: ['collectives'], env: { MASTER_PORT: String(wrong) } }], {
      env: { TS_DIST_TIMEOUT_MS: String(timeoutMs) },
      limitMs: timeoutMs + 30000,
    });
    for (const r of [r0, r1]) {
      expect(r.code).toBe(3);
      const err = r.result!.error as Failure;
      expect(err).toMatchObject({ name: 'DistributedError', code: 'ERR_DIST_TIMEOUT' });
      expect(err.message).toMatch(new RegExp(`rank ${r.rank} of 2`));
      console.log(`wrong port: rank ${r.rank} exited after ${r.ms} ms: ${err.message.slice(0, 200)}`);
    }
    // Bounded by the timeout plus process start-up (a few seconds on a busy 2-core host).
    expect(Math.max(r0.ms, r1.ms)).toBeLessThan(timeoutMs + 20000);
  });

  test('a rendezvous that never completes (1 of 2 ranks): ERR_DIST_TIMEOUT after timeoutMs', async () => {
    const timeoutMs = 2500;
    const [r0] = await runRanks([{ args: ['collectives'], env: { WORLD_SIZE: '2' } }], { env: { TS_DIST_TIMEOUT_MS: String(timeoutMs) }, limitMs: timeoutMs + 30000 });
    expect(r0.code).toBe(3);
    expect(r0.result!.error).toMatchObject({ name: 'DistributedError', code: 'ERR_DIST_TIMEOUT' });
    expect(r0.ms).toBeGreaterThan(timeoutMs);
    expect(r0.ms).toBeLessThan(timeoutMs + 20000);
  });
});
