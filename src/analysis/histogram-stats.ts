/**
 * Summary statistics of a TensorBoard-style histogram (bucket right edges + counts, left edge of bucket 0
 * = `min`), and comparisons between histograms.
 */
import type { Histogram } from '../telemetry/series.js';

/**
 * Mean of the summarised values (`sum / num`), `NaN` for an empty histogram.
 * @example
 * histogramMean(gaussianHistogram(0.5, 0.1, 1000)) // ~0.5
 */
export function histogramMean(h: Histogram): number {
  return h.num > 0 ? h.sum / h.num : NaN;
}

/**
 * Largest absolute value summarised: `max(|min|, |max|)`.
 * @example
 * histogramMaxAbs({ min: -3, max: 2, ... }) // 3
 */
export function histogramMaxAbs(h: Histogram): number {
  return Math.max(Math.abs(h.min), Math.abs(h.max));
}

/**
 * Whether any summary number of the histogram is NaN/Inf (min, max, sum): the weights it summarises are.
 * @example
 * histogramNonFinite({ min: NaN, ... }) // true
 */
export function histogramNonFinite(h: Histogram): boolean {
  return !Number.isFinite(h.min) || !Number.isFinite(h.max) || !Number.isFinite(h.sum);
}

/**
 * `|a - b| <= rel * max(|a|, |b|)` (plus a 1e-30 absolute slack so two zeros are equal; NaN equals NaN).
 * @example
 * nearlyEqual(1, 1 + 1e-9, 1e-7) // true
 */
export function nearlyEqual(a: number, b: number, rel: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) + 1e-30;
}

/**
 * Whether two histograms summarise the same values, within relative tolerance `rel` on every number
 * (min, max, num, sum, sum of squares, bucket edges and counts).
 * @example
 * sameHistogram(h, h, 1e-7) // true
 */
export function sameHistogram(a: Histogram, b: Histogram, rel: number): boolean {
  const scalars: Array<[number, number]> = [[a.min, b.min], [a.max, b.max], [a.num, b.num], [a.sum, b.sum], [a.sumSquares, b.sumSquares]];
  if (!scalars.every(([x, y]) => nearlyEqual(x, y, rel))) return false;
  if (a.bucketLimits.length !== b.bucketLimits.length || a.bucketCounts.length !== b.bucketCounts.length) return false;
  for (let i = 0; i < a.bucketLimits.length; i++) if (!nearlyEqual(a.bucketLimits[i] as number, b.bucketLimits[i] as number, rel)) return false;
  for (let i = 0; i < a.bucketCounts.length; i++) if (!nearlyEqual(a.bucketCounts[i] as number, b.bucketCounts[i] as number, rel)) return false;
  return true;
}

/**
 * Re-bins a histogram into `bins` equal-width bins over `[min, max]`, spreading each bucket's count
 * uniformly over its width (buckets may be irregular, e.g. TensorFlow's exponential ones). Returns the
 * share of the total count per bin (sums to 1), or `null` when the histogram is empty or has zero width.
 * @example
 * rebin(gaussianHistogram(0, 1, 1000), 10) // bell-shaped shares
 */
export function rebin(h: Histogram, bins: number): number[] | null {
  const lo = h.min;
  const hi = h.max;
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return null;
  const width = (hi - lo) / bins;
  const out = new Array<number>(bins).fill(0);
  let left = lo;
  let total = 0;
  for (let i = 0; i < h.bucketCounts.length; i++) {
    const right = Math.min(h.bucketLimits[i] as number, hi);
    const count = h.bucketCounts[i] as number;
    const l = Math.max(left, lo);
    if (count > 0 && Number.isFinite(count)) {
      if (right <= l) {
        const b = Math.min(bins - 1, Math.max(0, Math.floor((l - lo) / width)));
        out[b] = (out[b] as number) + count;
      } else {
        for (let b = Math.max(0, Math.floor((l - lo) / width)); b < bins && lo + b * width < right; b++) {
          const overlap = Math.min(right, lo + (b + 1) * width) - Math.max(l, lo + b * width);
          if (overlap > 0) out[b] = (out[b] as number) + (count * overlap) / (right - l);
        }
      }
      total += count;
    }
    left = Math.max(left, right);
  }
  return total > 0 ? out.map((c) => c / total) : null;
}
