// ProgressBar: tqdm-like text, redraws on a TTY, periodic lines elsewhere.
import { ProgressBar, formatInterval, formatSize } from '../../lib/data';

function sink(): { stream: NodeJS.WritableStream; text: () => string } {
  let buf = '';
  const stream = { write: (s: string) => ((buf += s), true) } as unknown as NodeJS.WritableStream;
  return { stream, text: () => buf };
}

describe('ProgressBar', () => {
  test('renders count, total, percentage, elapsed, remaining and rate', () => {
    let now = 0;
    const { stream } = sink();
    const bar = new ProgressBar({ total: 274, desc: 'Epoch 1', stream, now: () => now, tty: false });
    now = 10_000;
    bar.tick(137);
    expect(bar.render()).toBe('Epoch 1:  50%|██████████          | 137/274 [00:10<00:10, 13.70it/s]');
    bar.setPostfix({ loss: 0.6931, acc: 0.5 });
    expect(bar.render()).toMatch(/13\.70it\/s, loss=0\.693, acc=0\.500\]$/);
  });

  test('without a TTY it prints one line per interval and a final line', () => {
    let now = 0;
    const { stream, text } = sink();
    const bar = new ProgressBar({ total: 100, stream, now: () => now, tty: false, nonTtyIntervalMs: 5000 });
    for (let i = 0; i < 100; i++) {
      now += 200; // 20 s in all
      bar.tick();
    }
    bar.close();
    const lines = text().split('\n').filter(Boolean);
    expect(lines).toHaveLength(5); // at 5, 10, 15, 20 s and on close
    expect(text()).not.toContain('\r');
    expect(lines[lines.length - 1]).toMatch(/^100%\|█{20}\| 100\/100 \[00:20<00:00, 5\.00it\/s\]$/);
  });

  test('on a TTY it redraws in place with \\r and ends the line on close', () => {
    let now = 0;
    const { stream, text } = sink();
    const bar = new ProgressBar({ total: 3, stream, now: () => now, tty: true, minIntervalMs: 100 });
    now = 150;
    bar.tick();
    now = 300;
    bar.tick();
    bar.close();
    expect(text().startsWith('\r')).toBe(true);
    expect(text().split('\r')).toHaveLength(4);
    expect(text().endsWith('\n')).toBe(true);
  });

  test('unknown totals and byte units', () => {
    let now = 0;
    const bar = new ProgressBar({ stream: sink().stream, now: () => now, unit: 'B', unitScale: true, unitDivisor: 1024 });
    now = 2000;
    bar.tick(3 * 1024 * 1024);
    expect(bar.render()).toBe('3.00MB [00:02, 1.50MB/s]');
  });

  test('closed bars refuse ticks; bad options are named', () => {
    const bar = new ProgressBar({ total: 1, stream: sink().stream, disable: true });
    bar.close();
    bar.close();
    expect(() => bar.tick()).toThrow(/closed/);
    expect(() => new ProgressBar({ total: -1 })).toThrow(/Expected an integer >= 0 for options\.total but received number -1/);
    expect(() => new ProgressBar({ totl: 3 } as never)).toThrow(/Unknown option 'totl'/);
  });

  test('formatting helpers', () => {
    expect(formatInterval(3725)).toBe('1:02:05');
    expect(formatInterval(65)).toBe('01:05');
    expect(formatInterval(NaN)).toBe('?');
    expect(formatSize(84125825)).toBe('84.1M');
    expect(formatSize(999)).toBe('999');
    expect(formatSize(5.5)).toBe('5.50');
  });
});
