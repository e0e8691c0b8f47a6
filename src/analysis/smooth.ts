/**
 * Smoothing for noisy per-batch curves. Trends are judged on smoothed values.
 */

/**
 * TensorBoard's debiased exponential moving average. `weight` is TensorBoard's smoothing slider
 * (0 = none, 0.99 = heavy). Non-finite values are passed through and do not poison later points.
 * @example
 * emaSmooth([1, 1, 10, 1], 0.6)
 */
export function emaSmooth(values: readonly number[], weight: number): number[] {
  const out: number[] = [];
  let last = 0;
  let debias = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      out.push(v);
      continue;
    }
    last = last * weight + (1 - weight) * v;
    debias = debias * weight + (1 - weight);
    out.push(last / debias);
  }
  return out;
}

/**
 * Sliding median over a centred window of `window` points (odd; shrinks at the edges).
 * Robust to single spikes, unlike a mean. Non-finite values are ignored inside a window.
 * @example
 * medianSmooth([1, 9, 1, 1, 1], 3) // [5, 1, 1, 1, 1]
 */
export function medianSmooth(values: readonly number[], window: number): number[] {
  const half = Math.max(0, Math.floor(window / 2));
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const w: number[] = [];
    for (let j = Math.max(0, i - half); j <= Math.min(values.length - 1, i + half); j++) {
      const v = values[j] as number;
      if (Number.isFinite(v)) w.push(v);
    }
    w.sort((a, b) => a - b);
    const m = w.length;
    out.push(m === 0 ? NaN : m % 2 === 1 ? (w[(m - 1) / 2] as number) : ((w[m / 2 - 1] as number) + (w[m / 2] as number)) / 2);
  }
  return out;
}

/**
 * A smoothing window suited to a curve of `n` points: about 5% of its length, odd, between 1 and 51.
 * Short (epoch-level) curves get little or no smoothing.
 * @example
 * autoWindow(20) // 1;  autoWindow(1000) // 51
 */
export function autoWindow(n: number): number {
  const w = Math.min(51, Math.max(1, Math.round(n * 0.05)));
  return w % 2 === 1 ? w : w + 1;
}
