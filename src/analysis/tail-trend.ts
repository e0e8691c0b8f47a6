/**
 * The trend of the last part of a curve: is it still moving at the end of training, by how much, and
 * is that movement real or noise? A least-squares line through the raw tail points gives the change
 * over the tail and a t-statistic (slope / its standard error), so noise is weighed against the trend.
 */
import { linearFit } from './robust.js';
import { autoWindow, medianSmooth } from './smooth.js';
import { finitePoints } from './finite.js';

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
  const { steps: xs, values: ys } = finitePoints(steps, values);
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

/**
 * One-sided 5% critical values of Student's t for 1..10 degrees of freedom (from the t table); above
 * 10 the Cornish-Fisher expansion around the normal quantile 1.645 is within 0.001 of the table.
 */
const T_CRITICAL_05 = [6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812];
const Z_05 = 1.6449;

/**
 * The t a fitted slope must reach to be called non-zero at the one-sided 5% level with `dof` degrees
 * of freedom (`Infinity` under 1).
 * @example
 * tCritical05(2) // 2.92;  tCritical05(1000) // ~1.65
 */
export function tCritical05(dof: number): number {
  if (dof < 1) return Infinity;
  if (dof <= T_CRITICAL_05.length) return T_CRITICAL_05[Math.floor(dof) - 1] as number;
  const z = Z_05;
  return z + (z ** 3 + z) / (4 * dof) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * dof * dof);
}

/**
 * Points a strictly falling run must have for the rank test: under a flat curve with exchangeable
 * noise, `k` points fall in strict order with probability `1 / k!`, and `1 / 4! = 4.2%` is the first
 * under 5%.
 */
export const MONOTONE_RUN_POINTS = 4;

/** Is a curve still falling at its end, by how much of its level, and is that beyond its noise? */
export interface EndFall {
  readonly tail: TailTrend;
  /** What the fall is measured against: the mean of the tail points for a loss that stays positive, else the smoothed range. */
  readonly scale: number;
  readonly scaleKind: 'level' | 'range';
  /** `-tail.change / scale`: positive = fell over the tail. */
  readonly relativeDrop: number;
  /**
   * The fall over exactly the last `fraction` of the run's step range at the tail's fitted slope, as a
   * share of `scale`: equal to `relativeDrop` unless the tail was padded to `minPoints` (a short curve),
   * where the padded tail spans more than `fraction` of the run.
   */
  readonly dropOverFraction: number;
  /** The t the tail slope needs (one-sided 5%, `tail.n - 2` degrees of freedom). */
  readonly tCritical: number;
  /** The last {@link MONOTONE_RUN_POINTS} points fall in strict order (the rank test short tails rely on). */
  readonly monotone: boolean;
  /** The fall is beyond the noise: `tail.t <= -tCritical`, or a short tail (under 5 points) falls monotonically. */
  readonly significant: boolean;
  /** The rise is beyond the noise: `tail.t >= tCritical`. */
  readonly risingSignificantly: boolean;
  /** Step of the smoothed minimum, and whether it lies inside the tail (the curve bottoms out at its end). */
  readonly minStep: number;
  readonly minInTail: boolean;
}

/**
 * How a loss-like curve moves over the last `fraction` of its step range (at least `minPoints` points):
 * the fitted change, its significance (Student's t with the tail's degrees of freedom, or a strictly
 * falling run of 4 points for a tail too short for the t-test to have power) and its size relative to
 * the curve's level. The level is the mean of the tail points when every point is positive (the floor
 * of cross-entropy and squared error is 0, so "3% lower" is 3% of the way to it); a curve that goes to
 * zero or below has no known floor, and the fall is measured against the range its smoothed values span.
 * `null` under 4 finite points.
 * @example
 * const e = endFall(steps, values, 0.2);
 * e && e.significant && e.relativeDrop >= 0.03 && e.minInTail // still clearly falling
 */
export function endFall(steps: readonly number[], values: readonly number[], fraction = 0.2, minPoints = 3): EndFall | null {
  const { steps: xs, values: ys } = finitePoints(steps, values);
  const n = ys.length;
  if (n < 4) return null;
  const tail = tailTrend(xs, ys, fraction, minPoints);
  if (!tail) return null;
  const s = medianSmooth(ys, n < 8 ? 1 : Math.max(3, autoWindow(n)));
  let minI = 0;
  for (let i = 1; i < n; i++) if ((s[i] as number) < (s[minI] as number)) minI = i;
  const positive = ys.every((v) => v > 0);
  const tailValues = ys.slice(n - tail.n);
  const level = tailValues.reduce((a, b) => a + b, 0) / tail.n;
  const range = s.reduce((a, b) => Math.max(a, b), -Infinity) - (s[minI] as number);
  const scale = positive ? level : range;
  const tCritical = tCritical05(tail.n - 2);
  const window = tail.toStep - tail.fromStep;
  const slope = window > 0 ? tail.change / window : 0;
  const span = (xs[n - 1] as number) - (xs[0] as number);
  let monotone = n >= MONOTONE_RUN_POINTS;
  for (let i = n - MONOTONE_RUN_POINTS + 1; monotone && i < n; i++) monotone = (ys[i] as number) < (ys[i - 1] as number);
  const significant = tail.t <= -tCritical || (tail.n < MONOTONE_RUN_POINTS + 1 && monotone);
  return {
    tail,
    scale,
    scaleKind: positive ? 'level' : 'range',
    relativeDrop: scale > 0 ? -tail.change / scale : 0,
    dropOverFraction: scale > 0 ? (-slope * fraction * span) / scale : 0,
    tCritical,
    monotone,
    significant,
    risingSignificantly: tail.t >= tCritical,
    minStep: xs[minI] as number,
    minInTail: (xs[minI] as number) >= tail.fromStep,
  };
}
