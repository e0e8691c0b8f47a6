/**
 * Flatness: has a loss moved at all over the run? Movement is measured relative to the curve's own
 * starting level (so offset and negative losses work) and weighed against its noise, so a noisy
 * per-batch loss that truly falls is not called flat and a flat one that wiggles is.
 */
import { diffNoise } from './noise.js';
import { median, quantile } from './robust.js';
import { autoWindow, medianSmooth } from './smooth.js';

/** A net change below this fraction of the starting level is "not moving". */
export const FLAT_MAX_CHANGE = 0.05;
/** ... as long as the smoothed curve never strays further than this fraction (or its noise). */
export const FLAT_MAX_RANGE = 0.1;
/** A change that is not significant (under 3 standard errors) still counts as flat up to this fraction. */
export const FLAT_MAX_NOISY_CHANGE = 0.2;
/** Dead flat: the loss does not move even by this fraction, noise included. */
export const DEAD_FLAT_CHANGE = 0.01;
export const DEAD_FLAT_RANGE = 0.02;

/** How much a curve moved between its start and its end. */
export interface Flatness {
  /** Median of the first / last ~10% of the points. */
  readonly start: number;
  readonly end: number;
  /** Median of all points: the level a flat curve is parked at. */
  readonly level: number;
  /** `(start - end) / scale`: positive = fell. `scale` is `|start|` (or the largest |value| when that is ~0). */
  readonly relativeChange: number;
  /** Spread (5th-95th percentile) of the smoothed curve over `scale`. */
  readonly relativeRange: number;
  /** Standard error of `start - end` from the point-to-point noise, over `scale`. */
  readonly relativeChangeError: number;
  readonly flat: boolean;
  readonly deadFlat: boolean;
}

/** Points whose median gives the start and end levels: ~10% of the curve, at least 1. */
export function edgePoints(n: number): number {
  return Math.max(1, Math.round(n * 0.1));
}

/**
 * Measures whether a (finite) curve moved. `null` under 3 points.
 * @example
 * flatness(curve(200, () => 2.3, 0.3, 7))?.flat // true: noisy but going nowhere
 * flatness([2.3, 1.5, 1.1, 0.9, 0.8])?.flat     // false
 */
export function flatness(values: readonly number[]): Flatness | null {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (n < 3) return null;
  const k = edgePoints(n);
  const start = median(xs.slice(0, k));
  const end = median(xs.slice(n - k));
  const maxAbs = xs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  // A start that is ~0 next to the curve's typical magnitude (median |value|, which spikes of 1e11x a
  // 0.03 loss do not move) cannot be the scale: an offset curve crossing zero uses its largest |value|.
  const typical = median(xs.map((v) => Math.abs(v)));
  const scale = Math.abs(start) > 1e-12 * Math.max(1, typical) ? Math.abs(start) : maxAbs > 0 ? maxAbs : 1;
  const w = autoWindow(n);
  const smoothed = medianSmooth(xs, w);
  const range = quantile(smoothed, 0.95) - quantile(smoothed, 0.05);
  const sigma = n >= 4 ? diffNoise(xs) : 0;
  const noise = Number.isFinite(sigma) ? sigma : 0;
  const changeError = Math.SQRT2 * 1.25 * (noise / Math.sqrt(k));
  const smoothedNoise = (1.25 * noise) / Math.sqrt(w);
  const relativeChange = (start - end) / scale;
  const relativeRange = range / scale;
  const relativeChangeError = changeError / scale;
  const small = Math.abs(relativeChange) < FLAT_MAX_CHANGE;
  const insignificant = Math.abs(relativeChange) < FLAT_MAX_NOISY_CHANGE && Math.abs(start - end) < 3 * changeError;
  const contained = range < Math.max(FLAT_MAX_RANGE * scale, 6 * smoothedNoise);
  return {
    start,
    end,
    level: median(xs),
    relativeChange,
    relativeRange,
    relativeChangeError,
    flat: (small || insignificant) && contained,
    deadFlat: Math.abs(relativeChange) < DEAD_FLAT_CHANGE && relativeRange < DEAD_FLAT_RANGE,
  };
}
