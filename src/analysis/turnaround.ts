/**
 * Where a falling curve bottoms out and how far it has come back up since: the best checkpoint of a
 * validation loss and the rise after it, judged on a median-smoothed curve so one bad evaluation
 * neither makes nor hides a minimum.
 */
import { diffNoise } from './noise.js';
import { median } from './robust.js';
import { medianSmooth } from './smooth.js';

/** The minimum of a curve and what happened after it. */
export interface Turnaround {
  /** Index (into the finite points) of the smoothed minimum. */
  readonly minIndex: number;
  /** Step and value of the smoothed minimum. */
  readonly minStep: number;
  readonly minValue: number;
  /** Step and value of the lowest raw point at or after index 1: the checkpoint early stopping keeps. */
  readonly bestStep: number;
  readonly bestValue: number;
  /** Median of the last points after the minimum (the level the curve ended at). */
  readonly endValue: number;
  /** `endValue - minValue` (>= 0 means it came back up). */
  readonly rise: number;
  /** Per-point noise of the raw curve (from first differences) over its last two thirds, past the early transient. */
  readonly noise: number;
  /** Number of points after the smoothed minimum. */
  readonly pointsAfter: number;
  /** The finite points and their smoothed values. */
  readonly steps: readonly number[];
  readonly values: readonly number[];
  readonly smoothed: readonly number[];
  /** How many trailing points `endValue` is the median of. */
  readonly tail: number;
}

/** How many trailing points the end level is the median of: 10% of the curve, at least 3, at most 25. */
function tailSize(n: number): number {
  return Math.min(25, Math.max(3, Math.round(n * 0.1)));
}

/**
 * Finds the minimum of a (loss-like, lower is better) curve, ignoring its first point when there are
 * at least 5 (an epoch-0 evaluation can be wild with batch norm), and measures the rise since.
 * `null` when fewer than 3 finite points.
 * @example
 * const t = turnaround([0, 1, 2, 3, 4, 5, 6], [2, 1.2, 1, 0.9, 1, 1.1, 1.2]);
 * t?.minStep // 3;  t?.rise // ~0.2
 */
export function turnaround(stepsIn: readonly number[], valuesIn: readonly number[]): Turnaround | null {
  const steps: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < valuesIn.length; i++) {
    const v = valuesIn[i] as number;
    if (Number.isFinite(v)) {
      steps.push(stepsIn[i] as number);
      values.push(v);
    }
  }
  const n = values.length;
  if (n < 3) return null;
  const window = tailSize(n) % 2 === 1 ? tailSize(n) : tailSize(n) + 1;
  // The minimum is a moving median over as many points as the end level, so both are equally noisy.
  const smoothed = medianSmooth(values, window);
  const skip = n >= 5 ? 1 : 0;
  let minIndex = skip;
  let bestIndex = skip;
  for (let i = skip; i < n; i++) {
    if ((smoothed[i] as number) < (smoothed[minIndex] as number)) minIndex = i;
    if ((values[i] as number) < (values[bestIndex] as number)) bestIndex = i;
  }
  const pointsAfter = n - 1 - minIndex;
  const tail = Math.max(1, Math.min(pointsAfter, tailSize(n)));
  const endValue = pointsAfter === 0 ? (smoothed[minIndex] as number) : median(values.slice(n - tail));
  const minValue = smoothed[minIndex] as number;
  return {
    minIndex,
    minStep: steps[minIndex] as number,
    minValue,
    bestStep: steps[bestIndex] as number,
    bestValue: values[bestIndex] as number,
    endValue,
    rise: endValue - minValue,
    noise: diffNoise(values.slice(Math.floor(n / 3))),
    pointsAfter,
    steps,
    values,
    smoothed,
    tail,
  };
}
