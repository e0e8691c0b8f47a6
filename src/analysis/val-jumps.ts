/**
 * Jumps of a validation loss between consecutive evaluations that the train loss does not share: the
 * val loss doubling or halving from one evaluation to the next while the train loss over the same
 * interval barely moves. A model does not get twice as good or bad in one evaluation interval when its
 * train loss says it did not change; the val estimate did (too few examples, random subsampling,
 * augmentation at eval time, or unstable weights at evaluation).
 */
import { binnedMeans } from './resample.js';
import { finitePoints } from './finite.js';

/** One evaluation interval where val moved by a factor the train loss did not. */
export interface ValJump {
  /** Steps of the two evaluations. */
  readonly fromStep: number;
  readonly toStep: number;
  /** `val[to] / val[from]` (> 1: up). */
  readonly valFactor: number;
  /** The same ratio of the train loss (binned onto the val steps); `1` where train is unknown. */
  readonly trainFactor: number;
  /** `exp(|ln valFactor| - |ln trainFactor|)`: how many times more val moved than train. */
  readonly excess: number;
}

/** Every interval whose excess reaches `factor`, and the largest excess seen. */
export interface ValJumps {
  readonly jumps: readonly ValJump[];
  readonly ups: number;
  readonly downs: number;
  readonly largestExcess: number;
  /** Evaluation intervals judged. */
  readonly intervals: number;
}

/**
 * Finds the val-loss jumps of at least `factor` beyond the train loss. Judged in log space (a loss that
 * doubles and one that halves are jumps of the same size), so only strictly positive val curves are
 * judged (`null` otherwise, or under 3 finite points). The interval after the first evaluation is
 * skipped: an evaluation before or right after the first epoch can be wild with batch norm.
 * `trainSteps` must be on the val curve's step axis.
 * @example
 * valJumps([0, 1, 2, 3, 4], [1, 0.8, 2.0, 0.7, 0.65], [0, 1, 2, 3, 4], [1, 0.9, 0.85, 0.8, 0.78], 2)?.ups // 1
 */
export function valJumps(
  valSteps: readonly number[],
  valValues: readonly number[],
  trainSteps: readonly number[],
  trainValues: readonly number[],
  factor: number,
): ValJumps | null {
  const { steps, values } = finitePoints(valSteps, valValues);
  if (values.length < 3 || values.some((v) => v <= 0)) return null;
  const train = binnedMeans(trainSteps, trainValues, steps);
  const threshold = Math.log(factor);
  const jumps: ValJump[] = [];
  let largest = 0;
  for (let i = 2; i < values.length; i++) {
    const dv = Math.log((values[i] as number) / (values[i - 1] as number));
    const t0 = train[i - 1] as number;
    const t1 = train[i] as number;
    const dt = Number.isFinite(t0) && Number.isFinite(t1) && t0 > 0 && t1 > 0 ? Math.log(t1 / t0) : 0;
    const excess = Math.abs(dv) - Math.abs(dt);
    largest = Math.max(largest, excess);
    if (excess >= threshold) jumps.push({ fromStep: steps[i - 1] as number, toStep: steps[i] as number, valFactor: Math.exp(dv), trainFactor: Math.exp(dt), excess: Math.exp(excess) });
  }
  return {
    jumps,
    ups: jumps.filter((j) => j.valFactor > 1).length,
    downs: jumps.filter((j) => j.valFactor < 1).length,
    largestExcess: Math.exp(largest),
    intervals: Math.max(0, values.length - 2),
  };
}
