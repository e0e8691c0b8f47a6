/**
 * The trend of the last part of a curve: is it still moving at the end of training, by how much, and
 * is that movement real or noise? A least-squares line through the raw tail points gives the change
 * over the tail and a t-statistic (slope / its standard error), so noise is weighed against the trend.
 */
import { linearFit } from './robust.js';
import { autoWindow, medianSmooth } from './smooth.js';

/** The straight-line trend of a curve's tail. */
export interface TailTrend {
  /** First and last step of the tail (inclusive). */
  readonly fromStep: number;
  readonly toStep: number;
  /** Points in the tail. */
  readonly n: number;
  /** Fitted change over the tail, `slope * (toStep - fromStep)`: negative = falling. */
  readonly change: number;
  /** Slope / standard error of the slope; `+-Infinity` for a noiseless line, `NaN` under 3 points. */
  readonly t: number;
}

/**
 * Fits a line to the finite points whose step lies in the last `fraction` of the step range
 * (at least `minPoints` points). `null` when fewer than 3 finite points.
 * @example
 * const tail = tailTrend(steps, values, 0.25);
 * tail && tail.change < 0 && tail.t < -3 // still clearly falling
 */
export function tailTrend(steps: readonly number[], values: readonly number[], fraction = 0.25, minPoints = 3): TailTrend | null {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) {
      xs.push(steps[i] as number);
      ys.push(v);
    }
  }
  if (ys.length < 3) return null;
  const first = xs[0] as number;
  const last = xs[xs.length - 1] as number;
  const cutoff = last - fraction * (last - first);
  let from = xs.findIndex((x) => x >= cutoff);
  from = Math.max(0, Math.min(from, xs.length - minPoints));
  const tx = xs.slice(from);
  const ty = ys.slice(from);
  const fit = linearFit(tx, ty);
  const span = (tx[tx.length - 1] as number) - (tx[0] as number);
  const change = fit.slope * span;
  let t = NaN;
  if (fit.n >= 3) {
    if (fit.slope === 0) t = 0;
    else if (fit.r2 >= 1) t = fit.slope > 0 ? Infinity : -Infinity;
    else t = Math.sign(fit.slope) * Math.sqrt((fit.r2 * (fit.n - 2)) / (1 - fit.r2));
  }
  return { fromStep: tx[0] as number, toStep: tx[tx.length - 1] as number, n: ty.length, change, t };
}

/** How much of a curve's improvement its tail still makes. */
export interface TailProgress {
  readonly tail: TailTrend;
  /** Highest smoothed level before the smoothed minimum, minus that minimum (> 0). */
  readonly totalDrop: number;
  /** Share of the total drop made over the tail, `-tail.change / totalDrop` (negative when rising). */
  readonly share: number;
  /** How far the smoothed end sits above the smoothed minimum, as a share of the drop. */
  readonly riseShare: number;
}

/**
 * The tail trend of a (finite, loss-like) curve against its own total drop: "the last quarter still
 * delivered 30% of the improvement". Curves under 8 points are not smoothed (epoch averages already);
 * longer ones get a median window. `null` under 4 points or without any drop.
 * @example
 * tailProgress(steps, values)?.share // 0.3
 */
export function tailProgress(steps: readonly number[], values: readonly number[], fraction = 0.25): TailProgress | null {
  const n = values.length;
  if (n < 4) return null;
  const s = medianSmooth(values, n < 8 ? 1 : Math.max(3, autoWindow(n)));
  let minI = 0;
  for (let i = 1; i < n; i++) if ((s[i] as number) < (s[minI] as number)) minI = i;
  let peak = -Infinity;
  for (let i = 0; i <= minI; i++) peak = Math.max(peak, s[i] as number);
  const totalDrop = peak - (s[minI] as number);
  const tail = tailTrend(steps, values, fraction);
  if (!tail || !(totalDrop > 0)) return null;
  return { tail, totalDrop, share: -tail.change / totalDrop, riseShare: ((s[n - 1] as number) - (s[minI] as number)) / totalDrop };
}
