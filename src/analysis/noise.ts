/**
 * Noise and trend of a curve: point-to-point jitter measured on first differences, which a slow trend
 * barely affects, and a moving-average trend whose residual keeps the fast wiggles.
 */
import { robustStd } from './robust.js';

/**
 * First differences of the finite values (non-finite values are skipped, not differenced).
 * @example
 * firstDifferences([1, 3, NaN, 6]) // [2, 3]
 */
export function firstDifferences(values: readonly number[]): number[] {
  const xs = values.filter((v) => Number.isFinite(v));
  const out: number[] = [];
  for (let i = 1; i < xs.length; i++) out.push((xs[i] as number) - (xs[i - 1] as number));
  return out;
}

/**
 * Per-point noise estimated from first differences: `robustStd(diff) / sqrt(2)` (for white noise of
 * std s, differences have std s*sqrt(2)). A smooth trend contributes little; a single spike does not count.
 * @example
 * diffNoise([1, 1.1, 0.9, 1.05, 0.95]) // ~0.1
 */
export function diffNoise(values: readonly number[]): number {
  const d = firstDifferences(values);
  return d.length < 2 ? NaN : robustStd(d) / Math.SQRT2;
}

/**
 * Centred moving average over `window` points (shrinks at the edges; non-finite values ignored).
 * A window of exactly one period removes a periodic component from the trend.
 * @example
 * movingAverage([1, 2, 3, 4, 5], 3) // [1.5, 2, 3, 4, 4.5]
 */
export function movingAverage(values: readonly number[], window: number): number[] {
  const half = Math.max(0, Math.floor(window / 2));
  const n = values.length;
  const sum: number[] = [0];
  const cnt: number[] = [0];
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    const ok = Number.isFinite(v);
    sum.push((sum[i] as number) + (ok ? v : 0));
    cnt.push((cnt[i] as number) + (ok ? 1 : 0));
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - half);
    const hi = Math.min(n, i + half + 1);
    const c = (cnt[hi] as number) - (cnt[lo] as number);
    out.push(c === 0 ? NaN : ((sum[hi] as number) - (sum[lo] as number)) / c);
  }
  return out;
}

/**
 * What is left after removing a trend: `values[i] - trend[i]`.
 * @example
 * residual([1, 5, 1], [2, 2, 2]) // [-1, 3, -1]
 */
export function residual(values: readonly number[], trend: readonly number[]): number[] {
  return values.map((v, i) => v - (trend[i] as number));
}
