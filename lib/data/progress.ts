/**
 * A tqdm-like progress bar: count, total, percentage, rate, elapsed and
 * remaining time. On a TTY it redraws one line in place (at most every
 * `minIntervalMs`); on anything else (CI logs, files, pipes) it prints one
 * plain line every `nonTtyIntervalMs` and a final line on close, so logs stay
 * readable. Generic: downloads use it with `unit: 'B', unitScale: true`,
 * training loops with the default unit `it` and `setPostfix({loss, acc})`.
 */
import { checkBoolean, checkInteger, checkObject, checkKeys, invalid, optional, checkNonEmptyString } from '../validate';

export interface ProgressBarOptions {
  /** Expected number of units; omit when unknown (no percentage, no ETA). */
  total?: number;
  /** Label printed before the bar. */
  desc?: string;
  /** Where to write; default `process.stderr`. */
  stream?: NodeJS.WritableStream;
  /** Unit name; default `it`. */
  unit?: string;
  /** Print counts with k/M/G suffixes (bytes, tokens); default false. */
  unitScale?: boolean;
  /** Divisor for `unitScale`; default 1000 (1024 for binary units). */
  unitDivisor?: number;
  /** Minimum time between redraws on a TTY; default 100 ms. */
  minIntervalMs?: number;
  /** Time between lines when the stream is not a TTY; default 5000 ms. */
  nonTtyIntervalMs?: number;
  /** Force TTY or line mode instead of asking the stream. */
  tty?: boolean;
  /** Print nothing at all. */
  disable?: boolean;
  /** Width of the bar in characters; default 20. */
  barWidth?: number;
  /** Clock in milliseconds, for tests; default `performance.now()`. */
  now?: () => number;
}

const KNOWN = [
  'total', 'desc', 'stream', 'unit', 'unitScale', 'unitDivisor', 'minIntervalMs', 'nonTtyIntervalMs',
  'tty', 'disable', 'barWidth', 'now',
] as const;

const BLOCKS = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** `mm:ss`, or `h:mm:ss` past an hour, like tqdm. */
export function formatInterval(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** 84125825 -> "84.1M" (divisor 1000) as tqdm's `format_sizeof`. */
export function formatSize(num: number, divisor = 1000): string {
  const suffixes = ['', 'k', 'M', 'G', 'T', 'P'];
  let n = num;
  for (const suffix of suffixes) {
    if (Math.abs(n) < 999.5) {
      if (Math.abs(n) < 99.95) {
        if (Math.abs(n) < 9.995) return `${n.toFixed(2)}${suffix}`;
        return `${n.toFixed(1)}${suffix}`;
      }
      return `${n.toFixed(0)}${suffix}`;
    }
    n /= divisor;
  }
  return `${n.toFixed(1)}E`;
}

export class ProgressBar {
  readonly total: number | undefined;
  readonly desc: string;
  private readonly stream: NodeJS.WritableStream;
  private readonly unit: string;
  private readonly unitScale: boolean;
  private readonly unitDivisor: number;
  private readonly minIntervalMs: number;
  private readonly nonTtyIntervalMs: number;
  private readonly isTty: boolean;
  private readonly disabled: boolean;
  private readonly barWidth: number;
  private readonly now: () => number;
  private readonly startMs: number;
  private lastPrintMs: number;
  private lastLength = 0;
  private count = 0;
  private postfix = '';
  private closed = false;

  constructor(options?: ProgressBarOptions) {
    const o = checkObject('options', options);
    checkKeys('ProgressBar options', o, KNOWN);
    this.total = optional(o.total, undefined, (v) => checkInteger('options.total', v, 0));
    this.desc = optional(o.desc, '', (v) => {
      if (typeof v !== 'string') throw invalid('options.desc', 'a string', v);
      return v;
    });
    this.stream = optional(o.stream, process.stderr as NodeJS.WritableStream, (v) => {
      if (!v || typeof (v as NodeJS.WritableStream).write !== 'function') throw invalid('options.stream', 'a writable stream', v);
      return v as NodeJS.WritableStream;
    });
    this.unit = optional(o.unit, 'it', (v) => checkNonEmptyString('options.unit', v));
    this.unitScale = optional(o.unitScale, false, (v) => checkBoolean('options.unitScale', v));
    this.unitDivisor = optional(o.unitDivisor, 1000, (v) => checkInteger('options.unitDivisor', v, 2));
    this.minIntervalMs = optional(o.minIntervalMs, 100, (v) => checkInteger('options.minIntervalMs', v, 0));
    this.nonTtyIntervalMs = optional(o.nonTtyIntervalMs, 5000, (v) => checkInteger('options.nonTtyIntervalMs', v, 0));
    this.isTty = optional(o.tty, (this.stream as { isTTY?: boolean }).isTTY === true, (v) => checkBoolean('options.tty', v));
    this.disabled = optional(o.disable, false, (v) => checkBoolean('options.disable', v));
    this.barWidth = optional(o.barWidth, 20, (v) => checkInteger('options.barWidth', v, 1, 200));
    this.now = optional(o.now, () => performance.now(), (v) => {
      if (typeof v !== 'function') throw invalid('options.now', 'a function returning milliseconds', v);
      return v as () => number;
    });
    this.startMs = this.now();
    this.lastPrintMs = this.startMs;
  }

  /** Units done so far. */
  get n(): number {
    return this.count;
  }

  /** Seconds since the bar was created. */
  get elapsed(): number {
    return (this.now() - this.startMs) / 1000;
  }

  /** Adds `n` units (default 1) and redraws if it is time to. */
  tick(n = 1): this {
    if (this.closed) throw new Error('ProgressBar.tick: the bar is closed');
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw invalid('n', 'a finite number >= 0', n);
    this.count += n;
    if (this.disabled) return this;
    const t = this.now();
    const interval = this.isTty ? this.minIntervalMs : this.nonTtyIntervalMs;
    if (t - this.lastPrintMs >= interval) {
      this.lastPrintMs = t;
      this.print(false);
    }
    return this;
  }

  /** Extra `key=value` pairs shown after the rate (e.g. loss, accuracy). */
  setPostfix(values: Record<string, string | number>): this {
    this.postfix = Object.entries(values)
      .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : v}`)
      .join(', ');
    return this;
  }

  /** Prints the final state and ends the line. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.disabled) this.print(true);
  }

  /** The current line, as it would be printed. */
  render(): string {
    const elapsed = this.elapsed;
    const rate = elapsed > 0 ? this.count / elapsed : 0;
    const fmt = (x: number) => (this.unitScale ? formatSize(x, this.unitDivisor) : String(Math.round(x)));
    const rateText = elapsed > 0 ? `${this.unitScale ? formatSize(rate, this.unitDivisor) : rate.toFixed(2)}${this.unit}/s` : `?${this.unit}/s`;
    const post = this.postfix ? `, ${this.postfix}` : '';
    const prefix = this.desc ? `${this.desc}: ` : '';
    if (this.total === undefined || this.total === 0) {
      const countText = this.unitScale ? `${fmt(this.count)}${this.unit}` : `${this.count}${this.unit}`;
      return `${prefix}${countText} [${formatInterval(elapsed)}, ${rateText}${post}]`;
    }
    const frac = Math.min(1, this.count / this.total);
    const remaining = rate > 0 ? (this.total - this.count) / rate : Number.NaN;
    const pct = `${Math.floor(frac * 100)}`.padStart(3, ' ');
    return `${prefix}${pct}%|${this.bar(frac)}| ${fmt(this.count)}/${fmt(this.total)} ` +
      `[${formatInterval(elapsed)}<${formatInterval(remaining)}, ${rateText}${post}]`;
  }

  private bar(frac: number): string {
    const eighths = Math.round(frac * this.barWidth * 8);
    const full = Math.floor(eighths / 8);
    const part = eighths % 8;
    let s = '█'.repeat(full);
    if (full < this.barWidth) s += BLOCKS[part] + ' '.repeat(this.barWidth - full - 1);
    return s;
  }

  private print(final: boolean): void {
    const line = this.render();
    if (this.isTty) {
      const pad = this.lastLength > line.length ? ' '.repeat(this.lastLength - line.length) : '';
      this.lastLength = line.length;
      this.stream.write(`\r${line}${pad}${final ? '\n' : ''}`);
    } else {
      this.stream.write(`${line}\n`);
    }
  }
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(3) : v.toExponential(2);
}
