/**
 * Histograms from raw values, with TensorFlow's default exponential bucket limits (the ones
 * TensorBoard's C++ histogram and PyTorch's `add_histogram(bins='tensorflow')` use).
 */
import type { Histogram } from '../../telemetry/series.js';

let defaults: readonly number[] | null = null;

/**
 * TensorFlow's default bucket limits: `0`, `±1e-12 * 1.1^k` up to 1e20, and `±Number.MAX_VALUE`
 * as the outermost limits (1551 right edges, ascending).
 * @example
 * const limits = defaultBucketLimits();
 * limits[0] // -Number.MAX_VALUE
 */
export function defaultBucketLimits(): readonly number[] {
  if (defaults) return defaults;
  const positive: number[] = [];
  for (let v = 1e-12; v < 1e20; v *= 1.1) positive.push(v);
  positive.push(Number.MAX_VALUE);
  const negative = positive.map((v) => -v).reverse();
  defaults = Object.freeze([...negative, 0, ...positive]);
  return defaults;
}

/**
 * Builds a TensorBoard histogram of `values`. Bucket `i` counts values in `[limits[i-1], limits[i])`;
 * only the buckets from the first to the last non-empty one are kept, and runs of empty buckets in
 * between are collapsed into one (as TensorFlow does), so the result stays small. The left edge of
 * the first bucket is `min` (TensorBoard's reading). Non-finite values (NaN, ±Infinity) are left
 * out, so every derived number stays finite.
 * @example
 * const h = histogramFromValues(new Float32Array([0.1, 0.2, -0.3]));
 * h.num // 3
 * @example
 * histogramFromValues([1, 2, 3, 10], [0, 2.5, 5, 10, 20]).bucketCounts // [2, 1, 0, 1]
 */
export function histogramFromValues(values: ArrayLike<number>, limits: readonly number[] = defaultBucketLimits()): Histogram {
  const counts = new Float64Array(limits.length);
  let num = 0;
  let sum = 0;
  let sumSquares = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    num++;
    sum += v;
    sumSquares += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
    const b = bucketOf(limits, v);
    counts[b] = (counts[b] as number) + 1;
  }
  if (num === 0 || limits.length === 0) {
    return { min: num ? min : 0, max: num ? max : 0, num, sum, sumSquares, bucketLimits: num ? [max] : [], bucketCounts: num ? [num] : [] };
  }
  let first = 0;
  while ((counts[first] as number) === 0) first++;
  let last = counts.length - 1;
  while ((counts[last] as number) === 0) last--;
  const bucketLimits: number[] = [];
  const bucketCounts: number[] = [];
  for (let i = first; i <= last; i++) {
    if ((counts[i] as number) === 0) {
      while ((counts[i + 1] as number) === 0) i++;
    }
    bucketLimits.push(limits[i] as number);
    bucketCounts.push(counts[i] as number);
  }
  return { min, max, num, sum, sumSquares, bucketLimits, bucketCounts };
}

/** Index of the first limit above `v` (upper bound), clamped to the last bucket. */
function bucketOf(limits: readonly number[], v: number): number {
  let lo = 0;
  let hi = limits.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((limits[mid] as number) > v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
