/**
 * The finite prefix of a curve: the part a shape check may judge when the curve turns non-finite
 * (NaN/Inf). Once a loss is NaN the run is broken (C6 says so); the blow-up just before the NaN is the
 * same event, so shape checks can drop a short lead-in instead of reporting it a second time.
 */
import type { Curve } from '../telemetry/curves.js';
import { firstNonFinite } from './finite.js';

/** The points of a curve before its first non-finite value. */
export interface FinitePrefix {
  readonly steps: readonly number[];
  readonly values: readonly number[];
  /** Step of the first non-finite value, or `null` when the whole curve is finite. */
  readonly nonFiniteStep: number | null;
}

/** How many points before a NaN are treated as the blow-up leading into it (at least 3, ~10%). */
export function leadInPoints(n: number): number {
  return Math.max(3, Math.round(n * 0.1));
}

/**
 * The points before the first non-finite value. With `dropLeadIn`, a curve that does turn
 * non-finite also loses its last {@link leadInPoints} finite points (the explosion into the NaN),
 * so only what happened well before the NaN is judged.
 * @example
 * finitePrefix(curve).nonFiniteStep           // 120 when the loss is NaN from step 120
 * finitePrefix(curve, true).values.length     // the points well before it
 */
export function finitePrefix(curve: Curve, dropLeadIn = false): FinitePrefix {
  const cut = firstNonFinite(curve.values);
  if (cut < 0) return { steps: curve.steps, values: curve.values, nonFiniteStep: null };
  const end = dropLeadIn ? Math.max(0, cut - leadInPoints(cut)) : cut;
  return {
    steps: curve.steps.slice(0, end),
    values: curve.values.slice(0, end),
    nonFiniteStep: curve.steps[cut] as number,
  };
}
