/**
 * Learning-rate events read from the lr curve: warm-up, step drops, warm restarts (SGDR) and rises.
 * Schedules explain many loss shapes on purpose (a jump at a restart, a drop right after an LR step),
 * so curve checks ask here before calling a shape a problem.
 */
import type { Curve } from '../telemetry/curves.js';
import { finitePoints } from './finite.js';

/** The finite points of an lr curve that shares the loss curve's step axis. */
export interface LrView {
  readonly tag: string;
  readonly steps: readonly number[];
  readonly values: readonly number[];
}

/** One schedule event: a jump between two consecutive lr points, or the end of a warm-up. */
export interface LrEvent {
  readonly kind: 'warmup-end' | 'drop' | 'rise';
  readonly step: number;
  /** lr after / lr before (for `warmup-end`: peak / first value, `Infinity` from 0). */
  readonly factor: number;
}

/** A change by at least this factor between consecutive lr points is an event. */
export const LR_JUMP_FACTOR = 1.5;

/**
 * The lr curve as seen from `curve`: `null` when there is none, it counts steps in another unit,
 * or it has fewer than 2 finite points.
 * @example
 * const lr = lrFor(curves.trainLoss, curves.lr); if (lr) lrAt(lr, 500);
 */
export function lrFor(curve: Curve, lr: Curve | null): LrView | null {
  if (!lr || lr.unit !== curve.unit) return null;
  const pts = finitePoints(lr.steps, lr.values);
  return pts.steps.length < 2 ? null : { tag: lr.tag, steps: pts.steps, values: pts.values };
}

/**
 * The learning rate in force at `step`: the last logged value at or before it (the first value
 * before the curve starts).
 * @example
 * lrAt({ tag: 'lr', steps: [0, 100], values: [0.1, 0.01] }, 150) // 0.01
 */
export function lrAt(lr: LrView, step: number): number {
  let v = lr.values[0] as number;
  for (let i = 0; i < lr.steps.length && (lr.steps[i] as number) <= step; i++) v = lr.values[i] as number;
  return v;
}

/**
 * Smallest and largest learning rate in force over `[from, to]`.
 * @example
 * lrRange(lr, 0, 1000) // { min: 1e-5, max: 1e-3 }
 */
export function lrRange(lr: LrView, from: number, to: number): { min: number; max: number } {
  let min = lrAt(lr, from);
  let max = min;
  for (let i = 0; i < lr.steps.length; i++) {
    const s = lr.steps[i] as number;
    if (s <= from || s > to) continue;
    const v = lr.values[i] as number;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { min, max };
}

/**
 * Whether the learning rate rose by at least `factor` somewhere in `[from, to]` (relative to the
 * lowest value in force before that rise): a warm restart, a warm-up or a one-cycle ramp.
 * @example
 * lrRose(lr, 900, 1100) // true around an SGDR restart at step 1000
 */
export function lrRose(lr: LrView, from: number, to: number, factor = LR_JUMP_FACTOR): boolean {
  let low = lrAt(lr, from);
  for (let i = 0; i < lr.steps.length; i++) {
    const s = lr.steps[i] as number;
    if (s <= from || s > to) continue;
    const v = lr.values[i] as number;
    if (v >= low * factor && v > 0) return true;
    low = Math.min(low, v);
  }
  return false;
}

/**
 * The schedule's events: the end of an initial warm-up (lr rising from the first point to a peak at
 * least 2x higher), then every jump by {@link LR_JUMP_FACTOR} or more between consecutive points.
 * @example
 * lrEvents(stepLr).filter((e) => e.kind === 'drop').map((e) => e.step) // [300, 600]
 */
export function lrEvents(lr: LrView): LrEvent[] {
  const out: LrEvent[] = [];
  const v = lr.values;
  const first = v[0] as number;
  let peak = 0;
  while (peak + 1 < v.length && (v[peak + 1] as number) >= (v[peak] as number)) peak++;
  let start = 0;
  if (peak > 0 && (first === 0 ? (v[peak] as number) > 0 : (v[peak] as number) >= 2 * first)) {
    // The warm-up ends at the first point that reaches the plateau it climbs to.
    let end = 0;
    while ((v[end] as number) < 0.99 * (v[peak] as number)) end++;
    out.push({ kind: 'warmup-end', step: lr.steps[end] as number, factor: first === 0 ? Infinity : (v[peak] as number) / first });
    start = peak;
  }
  for (let i = Math.max(1, start + 1); i < v.length; i++) {
    const prev = v[i - 1] as number;
    const cur = v[i] as number;
    const factor = prev === 0 ? (cur > 0 ? Infinity : 1) : cur / prev;
    if (factor >= LR_JUMP_FACTOR) out.push({ kind: 'rise', step: lr.steps[i] as number, factor });
    else if (factor > 0 && factor <= 1 / LR_JUMP_FACTOR) out.push({ kind: 'drop', step: lr.steps[i] as number, factor });
  }
  return out;
}

/** A rise by at least this factor between two consecutive lr points is abrupt ... */
export const LR_ABRUPT_FACTOR = 10;
/** ... and a value above this multiple of every lr in force before is beyond the schedule's peak. */
export const LR_BEYOND_PEAK = 2;

/**
 * The first abrupt jump in `(from, to]` to a rate no schedule used before: at least
 * {@link LR_ABRUPT_FACTOR}x the previous point and above {@link LR_BEYOND_PEAK}x every rate in force
 * up to `from` (a warm restart returns to an earlier peak; a one-cycle ramp climbs gradually).
 * `null` when there is none.
 * @example
 * lrSpike({ tag: 'lr', steps: [0, 50, 100], values: [1e-3, 1e-3, 0.1] }, 60, 100) // { step: 100, factor: 100 }
 */
export function lrSpike(lr: LrView, from: number, to: number): { step: number; factor: number } | null {
  const peak = lrRange(lr, lr.steps[0] as number, from).max;
  for (let i = 1; i < lr.steps.length; i++) {
    const s = lr.steps[i] as number;
    if (s <= from || s > to) continue;
    const v = lr.values[i] as number;
    const before = lr.values[i - 1] as number;
    if (v > 0 && before > 0 && v >= LR_ABRUPT_FACTOR * before && v > LR_BEYOND_PEAK * peak) return { step: s, factor: v / before };
  }
  return null;
}

/** "~0": below this share of the peak learning rate... */
export const LR_NEAR_ZERO_RELATIVE = 0.01;
/** ...or below this absolute value (an Adam step of 1e-7 barely moves any weight). */
export const LR_NEAR_ZERO_ABSOLUTE = 1e-7;

/**
 * The "~0" learning rate for a schedule peaking at `peak`: max(1% of the peak, 1e-7).
 * @example
 * lrNearZeroThreshold(0.1) // 0.001
 */
export function lrNearZeroThreshold(peak: number): number {
  return Math.max(LR_NEAR_ZERO_RELATIVE * peak, LR_NEAR_ZERO_ABSOLUTE);
}

/**
 * Whether the learning rate is ~0 in size (below max(1% of its peak size, 1e-7)) at every logged point
 * from the last one at or before `from` to `to`: the weights cannot move there (T10 says why; T9 stays
 * quiet about them). A negative rate is not ~0: it moves the weights, up the gradient.
 * @example
 * lrNearZeroOver({ steps: [0, 50, 100], values: [0.1, 0, 0] }, 50, 100) // true
 */
export function lrNearZeroOver(lr: Pick<Curve, 'steps' | 'values'>, from: number, to: number): boolean {
  const finite = lr.values.map((v, i) => [lr.steps[i] as number, Math.abs(v)] as const).filter(([, v]) => Number.isFinite(v));
  if (finite.length === 0) return false;
  const peak = finite.reduce((a, [, v]) => Math.max(a, v), 0);
  const threshold = lrNearZeroThreshold(peak);
  const after = finite.findIndex(([s]) => s > from);
  const start = after === -1 ? finite.length - 1 : Math.max(0, after - 1);
  const window = finite.slice(start).filter(([s], j) => j === 0 || s <= to);
  return window.length > 0 && window.every(([, v]) => v < threshold);
}
