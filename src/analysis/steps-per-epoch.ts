/**
 * Steps per epoch from a run's `epoch` curve (Lightning logs the integer epoch at every step,
 * Hugging Face a fractional one): the slope of step against epoch.
 */
import type { Curve } from '../telemetry/curves.js';
import { linearFit } from './robust.js';

/** The epoch length and where epochs start on the step axis. */
export interface EpochGrid {
  /** Optimiser steps per epoch (may be fractional when estimated from sparse logs). */
  readonly stepsPerEpoch: number;
  /** Step at which epoch 0 starts (epoch k starts at `offset + k * stepsPerEpoch`). */
  readonly offset: number;
}

/**
 * Estimates the epoch grid from an epoch curve whose steps are optimiser steps; `null` when the curve
 * spans fewer than two epochs or is not per step.
 * @example
 * stepsPerEpoch({ steps: [20, 40, 60], values: [0.16, 0.32, 0.48], ... }) // { stepsPerEpoch: 125, offset: 0 }
 */
export function stepsPerEpoch(epoch: Curve | null): EpochGrid | null {
  if (!epoch || epoch.unit !== 'step') return null;
  const steps: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < epoch.values.length; i++) {
    const v = epoch.values[i] as number;
    if (Number.isFinite(v)) {
      steps.push(epoch.steps[i] as number);
      values.push(v);
    }
  }
  if (values.length < 2) return null;
  const span = values.reduce((a, b) => Math.max(a, b), -Infinity) - values.reduce((a, b) => Math.min(a, b), Infinity);
  if (span < 1) return null;
  if (values.every((v) => Number.isInteger(v))) {
    // Integer epochs: epoch k starts at the first step logged with epoch k.
    const starts = new Map<number, number>();
    for (let i = 0; i < values.length; i++) if (!starts.has(values[i] as number)) starts.set(values[i] as number, steps[i] as number);
    const ks = [...starts.keys()];
    const firsts = ks.map((k) => starts.get(k) as number);
    // The first epoch's first logged step says little about where it began; fit from the second on.
    const fit = ks.length >= 3 ? linearFit(ks.slice(1), firsts.slice(1)) : linearFit(ks, firsts);
    if (!(fit.slope > 0)) return null;
    return { stepsPerEpoch: fit.slope, offset: fit.intercept };
  }
  const fit = linearFit(values, steps);
  if (!(fit.slope > 0)) return null;
  return { stepsPerEpoch: fit.slope, offset: fit.intercept };
}
