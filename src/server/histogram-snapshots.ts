/**
 * Histograms over time for the ridgeline view: an evenly spaced selection of a series' snapshots
 * (always the first and the latest), each rebinned onto common equal-width bins spanning all of
 * them, so rows line up like TensorBoard's offset view.
 */
import type { Histogram, HistogramSeries } from '../telemetry/series.js';
import type { HistogramSnapshot } from './api-types.js';

/** The ridgeline data of one histogram series. */
export interface Ridgeline {
  readonly total: number;
  readonly lo: number;
  readonly hi: number;
  readonly bins: number;
  readonly snapshots: HistogramSnapshot[];
}

/** Indices of at most `limit` evenly spaced entries of `n`, first and last included. */
function pickIndices(n: number, limit: number): number[] {
  if (n <= limit) return Array.from({ length: n }, (_, i) => i);
  const out = new Set<number>();
  for (let k = 0; k < limit; k++) out.add(Math.round((k * (n - 1)) / (limit - 1)));
  return [...out].sort((a, b) => a - b);
}

/** Spreads each source bucket's count evenly over its (clamped) width onto the common bins. */
function rebin(h: Histogram, lo: number, hi: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  const binOf = (x: number): number => Math.min(bins - 1, Math.max(0, Math.floor((x - lo) / width)));
  const clamp = (x: number): number => Math.min(Math.max(x, h.min), h.max);
  let left = h.min;
  for (let i = 0; i < h.bucketLimits.length; i++) {
    const right = h.bucketLimits[i] as number;
    const c = h.bucketCounts[i] as number;
    const a = clamp(left);
    const b = clamp(right);
    left = right;
    if (!(c > 0) || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    if (b <= a) {
      counts[binOf(a)] = (counts[binOf(a)] as number) + c;
      continue;
    }
    const first = binOf(a);
    const last = binOf(b);
    for (let k = first; k <= last; k++) {
      const overlap = Math.min(b, lo + (k + 1) * width) - Math.max(a, lo + k * width);
      if (overlap > 0) counts[k] = (counts[k] as number) + (c * overlap) / (b - a);
    }
  }
  return counts;
}

/**
 * Selects up to `limit` snapshots of `series` and rebins them onto `bins` common bins.
 * @example
 * const r = ridgeline(run.histograms.get('gradients/fc1')!, 40, 64);
 * r.snapshots.at(-1)?.counts.length // 64
 */
export function ridgeline(series: HistogramSeries, limit: number, bins: number): Ridgeline {
  const picked = pickIndices(series.histograms.length, Math.max(2, limit));
  let lo = Infinity;
  let hi = -Infinity;
  for (const i of picked) {
    const h = series.histograms[i] as Histogram;
    if (h.num > 0 && Number.isFinite(h.min) && Number.isFinite(h.max)) {
      lo = Math.min(lo, h.min);
      hi = Math.max(hi, h.max);
    }
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  } else if (hi <= lo) {
    const pad = Math.abs(lo) * 0.1 || 0.5;
    lo -= pad;
    hi += pad;
  }
  const snapshots = picked.map((i): HistogramSnapshot => {
    const h = series.histograms[i] as Histogram;
    return { step: series.steps[i] as number, num: h.num, min: h.min, max: h.max, counts: rebin(h, lo, hi, bins) };
  });
  return { total: series.histograms.length, lo, hi, bins, snapshots };
}
