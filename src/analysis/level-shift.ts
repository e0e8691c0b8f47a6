/**
 * Level shift: did a noisy curve end at a different level than it started? The medians of its first and
 * last thirds are compared against their standard error from the point-to-point noise, so a per-batch
 * loss whose single values jump by 100% can still be shown to go nowhere (or to fall).
 */
import { diffNoise } from './noise.js';
import { median } from './robust.js';

/** The first-third and last-third levels of a curve and how significant their difference is. */
export interface LevelShift {
  /** Median of the first / last third of the finite points. */
  readonly first: number;
  readonly last: number;
  /** Points in each third. */
  readonly points: number;
  /** Standard error of `last - first` from the point-to-point noise. */
  readonly error: number;
  /** `(last - first) / error`: negative = fell; `+-Infinity` for a noiseless change, 0 when nothing changed. */
  readonly t: number;
}

/**
 * Median of the first and last thirds and the t-statistic of their difference (standard error of a
 * median = 1.25 sigma / sqrt(k) for k points, sigma from first differences). `null` under 6 finite points.
 * @example
 * levelShift([1.8, 0.4, 1.1, 2.2, 0.3, 1.0, 0.9, 1.7, 0.5])?.t // ~0: noisy, going nowhere
 * levelShift([5, 4.8, 4.1, 3.9, 3.2, 3.0])?.t            // < -3: falling
 */
export function levelShift(values: readonly number[]): LevelShift | null {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (n < 6) return null;
  const k = Math.floor(n / 3);
  const first = median(xs.slice(0, k));
  const last = median(xs.slice(n - k));
  const sigma = diffNoise(xs);
  const error = Math.SQRT2 * 1.25 * ((Number.isFinite(sigma) ? sigma : 0) / Math.sqrt(k));
  const diff = last - first;
  const t = diff === 0 ? 0 : error > 0 ? diff / error : diff > 0 ? Infinity : -Infinity;
  return { first, last, points: k, error, t };
}
