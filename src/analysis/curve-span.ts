/**
 * How much of a run a step-level curve covers, for the curve checks that judge a level (not learning,
 * underfitting): a healthy network can sit near its starting loss for its first dozens of steps, so
 * those checks wait until a step-level curve spans {@link LEVEL_MIN_STEPS} steps. Epoch-level curves
 * (a few points, each an average over a whole epoch) are judged as they are.
 */
import type { Curve } from '../telemetry/curves.js';

/** Optimiser steps a step-level curve must span before a level-judging check speaks. */
export const LEVEL_MIN_STEPS = 100;

/**
 * Steps from the first to the last point of `curve`, both included (0 without points).
 * @example
 * stepSpan({ tag: 'loss', unit: 'step', steps: [0, 10, 19], values: [2.3, 2.2, 2.2], restarts: [] }) // 20
 */
export function stepSpan(curve: Pick<Curve, 'steps'>): number {
  const first = curve.steps[0];
  const last = curve.steps[curve.steps.length - 1];
  return first === undefined || last === undefined ? 0 : last - first + 1;
}

/**
 * A step-level curve that spans fewer than {@link LEVEL_MIN_STEPS} steps: too young to call its level.
 * @example
 * tooYoung({ tag: 'loss', unit: 'step', steps: [0, 19], values: [2.3, 2.3], restarts: [] }) // true
 */
export function tooYoung(curve: Pick<Curve, 'steps' | 'unit'>): boolean {
  return curve.unit === 'step' && stepSpan(curve) < LEVEL_MIN_STEPS;
}
