/**
 * Robust summary statistics over finite values (non-finite values are ignored).
 */

function finite(values: readonly number[]): number[] {
  return values.filter((v) => Number.isFinite(v));
}

/**
 * Arithmetic mean of the finite values; `NaN` when there are none.
 * @example
 * mean([1, 2, NaN, 3]) // 2
 */
export function mean(values: readonly number[]): number {
  const xs = finite(values);
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * The q-quantile (0..1, linear interpolation) of the finite values; `NaN` when there are none.
 * @example
 * quantile([1, 2, 3, 4], 0.5) // 2.5
 */
export function quantile(values: readonly number[], q: number): number {
  const xs = finite(values).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const pos = (xs.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (xs[lo] as number) + ((xs[hi] as number) - (xs[lo] as number)) * (pos - lo);
}

/**
 * Median of the finite values.
 * @example
 * median([3, 1, 2]) // 2
 */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/**
 * Median absolute deviation scaled to estimate a standard deviation (x 1.4826).
 * @example
 * robustStd([1, 2, 3, 4, 100]) // ~1.48, the outlier does not count
 */
export function robustStd(values: readonly number[]): number {
  const m = median(values);
  return 1.4826 * median(finite(values).map((v) => Math.abs(v - m)));
}

/**
 * Least-squares line through (x, y) pairs with finite coordinates.
 * @example
 * linearFit([0, 1, 2], [1, 3, 5]) // { slope: 2, intercept: 1, r2: 1, n: 3 }
 */
export function linearFit(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number; r2: number; n: number } {
  let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i] as number;
    const y = ys[i] as number;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    n++; sx += x; sy += y; sxx += x * x; sxy += x * y; syy += y * y;
  }
  if (n < 2) return { slope: NaN, intercept: NaN, r2: NaN, n };
  const vx = sxx - (sx * sx) / n;
  const vy = syy - (sy * sy) / n;
  const cxy = sxy - (sx * sy) / n;
  const slope = vx === 0 ? 0 : cxy / vx;
  const intercept = (sy - slope * sx) / n;
  const r2 = vx === 0 || vy === 0 ? 0 : (cxy * cxy) / (vx * vy);
  return { slope, intercept, r2, n };
}
