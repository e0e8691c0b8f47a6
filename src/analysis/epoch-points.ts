/**
 * Epoch-level points on a step axis: a curve whose steps are optimiser steps can still hold one point
 * per epoch (Lightning `on_epoch` values logged at the epoch's last global step, a TensorBoard writer
 * given the epoch as its step). Each such point sums up a whole epoch of updates, so a level-judging
 * check reads it like an epoch-unit curve, not like the first dozens of steps of a young run.
 */
import type { Curve } from '../telemetry/curves.js';
import type { ScalarSeries } from '../telemetry/series.js';

/** The epoch counter's value at `step`: its last point at or before the step (its first point before it starts). */
function epochAt(epoch: Curve, step: number): number {
  let lo = 0;
  let hi = epoch.steps.length - 1;
  if (hi < 0) return NaN;
  if (step < (epoch.steps[0] as number)) return epoch.values[0] as number;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((epoch.steps[mid] as number) <= step) lo = mid;
    else hi = mid - 1;
  }
  return epoch.values[lo] as number;
}

/**
 * Whether every point of `curve` lies in an epoch of its own by the run's epoch counter (at least two
 * points, two epochs): each point then stands for a whole epoch of training.
 * @example
 * onePointPerEpoch({ tag: 'train_loss', unit: 'step', steps: [3, 7, 11], values: [1.2, 1.2, 1.2], restarts: [] },
 *   { tag: 'epoch', unit: 'step', steps: [3, 7, 11], values: [0, 1, 2], restarts: [] }) // true
 */
export function onePointPerEpoch(curve: Pick<Curve, 'steps'>, epoch: Curve | null): boolean {
  if (!epoch || epoch.steps.length === 0 || curve.steps.length < 2) return false;
  let previous = NaN;
  for (const step of curve.steps) {
    const e = epochAt(epoch, step);
    if (!Number.isFinite(e) || e === previous) return false;
    previous = e;
  }
  return true;
}

/**
 * Whether the raw series repeats its step values: several values logged at one step on at least half
 * of its distinct steps. An optimiser-step counter advances with every update, so a writer that logs
 * several losses per step value is given a coarser counter (the epoch), as tensorboardX examples that
 * pass `global_step=epoch` to every batch's `add_scalar` do.
 * @example
 * repeatsSteps({ tag: 'batch_loss', unit: 'step', steps: [0, 0, 0, 1, 1, 1], values: [2.3, 1.5, 1.5, 1.5, 1.5, 1.5], wallTimes: [] }) // true
 */
export function repeatsSteps(series: Pick<ScalarSeries, 'steps'>): boolean {
  const counts = new Map<number, number>();
  for (const s of series.steps) counts.set(s, (counts.get(s) ?? 0) + 1);
  if (counts.size < 2) return false;
  let repeated = 0;
  for (const c of counts.values()) if (c >= 2) repeated++;
  return 2 * repeated >= counts.size;
}

/**
 * Whether a step-unit curve's points each stand for an epoch (or more) of training: an epoch-unit
 * curve, a curve with one point per epoch of the run's epoch counter, or a raw series that repeats its
 * step values (the step is an epoch counter). Such curves are judged like epoch-level ones.
 * @example
 * if (tooYoung(loss) && !epochLevelPoints(loss, ctx.curves.epoch, ctx.run.scalars.get(loss.tag))) return tooLittleData(...);
 */
export function epochLevelPoints(curve: Pick<Curve, 'steps' | 'unit'>, epoch: Curve | null, raw?: Pick<ScalarSeries, 'steps'>): boolean {
  if (curve.unit === 'epoch') return true;
  return onePointPerEpoch(curve, epoch) || (raw !== undefined && repeatsSteps(raw));
}
