// After training: metrics.json and an SVG plot of the loss and accuracy curves.
import * as fs from 'fs';
import type { EpochRecord } from './loop';

export interface Metrics {
  epochs: Array<{ epoch: number; trainLoss: number; trainAcc: number; validLoss: number; validAcc: number; seconds: number; trainSeconds?: number; best: boolean }>;
  test?: { loss: number; acc: number };
  settings: Record<string, unknown>;
  /** `blas`: the OpenBLAS kernels in use (addonInfo.blas.core), null when the BLAS is not OpenBLAS. */
  versions: { library: string; libtorch: string; blas?: string | null };
  device: string;
  dataSeconds?: number;
  totalSeconds?: number;
}

export function metricsFrom(records: EpochRecord[]): Metrics['epochs'] {
  return records.map((r) => ({ epoch: r.epoch, trainLoss: r.train.loss, trainAcc: r.train.acc, validLoss: r.valid.loss, validAcc: r.valid.acc, seconds: r.seconds, trainSeconds: r.trainSeconds, best: r.best }));
}

export function writeMetrics(file: string, metrics: Metrics): void {
  fs.writeFileSync(file, JSON.stringify(metrics, null, 2) + '\n');
}

function panel(x0: number, title: string, series: Array<{ name: string; color: string; values: number[] }>, epochs: number[]): string {
  const w = 400;
  const h = 260;
  const pad = { l: 55, r: 15, t: 30, b: 40 };
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (!(hi > lo)) [lo, hi] = [lo - 0.5, hi + 0.5];
  const margin = (hi - lo) * 0.08;
  lo -= margin;
  hi += margin;
  const n = epochs.length;
  const sx = (i: number) => x0 + pad.l + (n <= 1 ? (w - pad.l - pad.r) / 2 : (i * (w - pad.l - pad.r)) / (n - 1));
  const sy = (v: number) => pad.t + ((hi - v) * (h - pad.t - pad.b)) / (hi - lo);
  const parts: string[] = [];
  parts.push(`<text x="${x0 + w / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${title}</text>`);
  parts.push(`<rect x="${x0 + pad.l}" y="${pad.t}" width="${w - pad.l - pad.r}" height="${h - pad.t - pad.b}" fill="none" stroke="#999"/>`);
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    parts.push(`<text x="${x0 + pad.l - 6}" y="${sy(v) + 4}" text-anchor="end" font-size="11">${v.toFixed(3)}</text>`);
    parts.push(`<line x1="${x0 + pad.l}" x2="${x0 + w - pad.r}" y1="${sy(v)}" y2="${sy(v)}" stroke="#eee"/>`);
  }
  epochs.forEach((e, i) => parts.push(`<text x="${sx(i)}" y="${h - pad.b + 16}" text-anchor="middle" font-size="11">${e}</text>`));
  parts.push(`<text x="${x0 + w / 2}" y="${h - 6}" text-anchor="middle" font-size="12">epoch</text>`);
  series.forEach((s, k) => {
    const pts = s.values.map((v, i) => `${sx(i).toFixed(1)},${sy(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    s.values.forEach((v, i) => parts.push(`<circle cx="${sx(i).toFixed(1)}" cy="${sy(v).toFixed(1)}" r="3" fill="${s.color}"/>`));
    parts.push(`<rect x="${x0 + pad.l + 10}" y="${pad.t + 8 + k * 16}" width="12" height="3" fill="${s.color}"/><text x="${x0 + pad.l + 27}" y="${pad.t + 13 + k * 16}" font-size="11">${s.name}</text>`);
  });
  return parts.join('\n');
}

/** Loss and accuracy per epoch, train and validation, as an SVG any browser opens. */
export function plotSvg(epochs: Metrics['epochs']): string {
  const e = epochs.map((r) => r.epoch);
  const loss = panel(0, 'Loss', [
    { name: 'train', color: '#1f77b4', values: epochs.map((r) => r.trainLoss) },
    { name: 'valid', color: '#ff7f0e', values: epochs.map((r) => r.validLoss) },
  ], e);
  const acc = panel(420, 'Accuracy', [
    { name: 'train', color: '#1f77b4', values: epochs.map((r) => r.trainAcc) },
    { name: 'valid', color: '#ff7f0e', values: epochs.map((r) => r.validAcc) },
  ], e);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="820" height="260" font-family="sans-serif">\n<rect width="820" height="260" fill="white"/>\n${loss}\n${acc}\n</svg>\n`;
}

export function writePlot(file: string, epochs: Metrics['epochs']): void {
  fs.writeFileSync(file, plotSvg(epochs));
}
