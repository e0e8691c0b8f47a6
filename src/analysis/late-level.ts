/**
 * The level a per-layer statistic settles at: its median over the second half of the logged points
 * (sustained, not a transient at the start). Shared by the per-layer checks T5, T6 and T7.
 */
import type { Curve } from '../telemetry/curves.js';
import { median } from './robust.js';

/** One layer's late level and the steps it was measured over. */
export interface LateLevel {
  readonly layer: string;
  readonly curve: Curve;
  /** Median of the finite values of the second half. */
  readonly level: number;
  readonly from: number;
  readonly to: number;
}

/**
 * Late levels of every layer with at least `minPoints` finite points in its second half; `short` is
 * the first curve that had too few, so a check can say "too little data" when no layer could be judged.
 * @example
 * const { levels, short } = lateLevels(layerCurves(run, 'act_dead_frac'), 3);
 */
export function lateLevels(curves: Iterable<readonly [string, Curve]>, minPoints: number): { levels: LateLevel[]; short: Curve | null } {
  const levels: LateLevel[] = [];
  let short: Curve | null = null;
  for (const [layer, curve] of curves) {
    const half = Math.floor(curve.values.length / 2);
    const window = curve.values.slice(half).filter((v) => Number.isFinite(v));
    if (window.length < minPoints) {
      short ??= curve;
      continue;
    }
    levels.push({ layer, curve, level: median(window), from: curve.steps[half] as number, to: curve.steps[curve.steps.length - 1] as number });
  }
  return { levels, short: levels.length === 0 ? short : null };
}

/** The last finite points of a curve and the steps they span. */
export interface LatestPoints {
  readonly values: number[];
  readonly from: number;
  readonly to: number;
}

/**
 * The last `count` finite points of `curve` (with the steps they span), or `null` when it has fewer.
 * Used where the current state matters more than a settled level (a layer that is entirely dead now).
 * @example
 * latestPoints({ tag: 'x', unit: 'step', steps: [0, 10, 20, 30], values: [0.2, 1, NaN, 1], restarts: [] }, 2)
 * // { values: [1, 1], from: 10, to: 30 }
 */
export function latestPoints(curve: Curve, count: number): LatestPoints | null {
  const values: number[] = [];
  let from = NaN;
  let to = NaN;
  for (let i = curve.values.length - 1; i >= 0 && values.length < count; i--) {
    const v = curve.values[i] as number;
    if (!Number.isFinite(v)) continue;
    if (values.length === 0) to = curve.steps[i] as number;
    from = curve.steps[i] as number;
    values.unshift(v);
  }
  return values.length === count && count > 0 ? { values, from, to } : null;
}
