/**
 * Decimation for very long curves: a per-step loss of a million points is reduced to a few thousand
 * bin medians before its shape is judged. Bin medians keep every feature longer than a bin (plateaus,
 * drops, rises, slow oscillations), drop single-point spikes, and make smoothing cheap.
 */
import { median } from './robust.js';

/** Shape checks work on at most this many points. */
export const SHAPE_MAX_POINTS = 4000;

/** A curve reduced to bin medians. */
export interface Decimated {
  readonly steps: number[];
  readonly values: number[];
  /** Raw points per bin (1 = the curve was short enough and is returned as is). */
  readonly binSize: number;
}

/**
 * Reduces a curve to at most `maxPoints` bin medians of consecutive points. A bin's step is its middle
 * raw step, except that the first and last bins keep the curve's first and last steps, so reported
 * ranges still start and end where the curve does.
 * @example
 * decimate([0, 1, 2, 3], [4, 3, 2, 1], 2) // { steps: [0, 3], values: [3.5, 1.5], binSize: 2 }
 */
export function decimate(steps: readonly number[], values: readonly number[], maxPoints = SHAPE_MAX_POINTS): Decimated {
  const n = values.length;
  if (n <= maxPoints) return { steps: [...steps], values: [...values], binSize: 1 };
  const k = Math.ceil(n / maxPoints);
  const outS: number[] = [];
  const outV: number[] = [];
  for (let start = 0; start < n; start += k) {
    const end = Math.min(n, start + k);
    outV.push(median(values.slice(start, end)));
    outS.push(steps[Math.floor((start + end - 1) / 2)] as number);
  }
  outS[0] = steps[0] as number;
  outS[outS.length - 1] = steps[n - 1] as number;
  return { steps: outS, values: outV, binSize: k };
}
