/**
 * Autocorrelation of an evenly sampled series, and the dominant period it implies.
 */

/**
 * Sample autocorrelation at `lag` (normalised by the lag-0 variance, as in statistics texts);
 * non-finite values are replaced by the mean. 0 for a constant series.
 * @example
 * autocorrelation([1, -1, 1, -1, 1, -1], 2) // ~0.67
 */
export function autocorrelation(values: readonly number[], lag: number): number {
  const n = values.length;
  if (lag <= 0) return 1;
  if (lag >= n) return 0;
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return 0;
  const mu = finite.reduce((a, b) => a + b, 0) / finite.length;
  const x = values.map((v) => (Number.isFinite(v) ? v - mu : 0));
  let den = 0;
  for (const v of x) den += v * v;
  if (den === 0) return 0;
  let num = 0;
  for (let i = 0; i + lag < n; i++) num += (x[i] as number) * (x[i + lag] as number);
  return num / den;
}

/** A repeating pattern found in a series. */
export interface Period {
  /** Lag (in samples) of the strongest autocorrelation peak. */
  readonly lag: number;
  /** Autocorrelation at that lag. */
  readonly acf: number;
}

/**
 * The lag of the highest local maximum of the autocorrelation between `minLag` and `maxLag`
 * (inclusive), if that maximum reaches `minAcf`; `null` otherwise.
 * @example
 * const saw = Array.from({ length: 200 }, (_, i) => i % 20);
 * dominantPeriod(saw, 4, 60, 0.3) // { lag: 20, acf: ~0.9 }
 */
export function dominantPeriod(values: readonly number[], minLag: number, maxLag: number, minAcf: number): Period | null {
  const lo = Math.max(1, Math.floor(minLag));
  const hi = Math.min(values.length - 2, Math.floor(maxLag));
  if (hi < lo) return null;
  const acf: number[] = [];
  for (let lag = lo - 1; lag <= hi + 1; lag++) acf.push(autocorrelation(values, lag));
  let best: Period | null = null;
  for (let lag = lo; lag <= hi; lag++) {
    const a = acf[lag - lo + 1] as number;
    const isPeak = a >= (acf[lag - lo] as number) && a >= (acf[lag - lo + 2] as number);
    if (isPeak && a >= minAcf && (best === null || a > best.acf + 0.05)) best = { lag, acf: a };
  }
  return best;
}
