/**
 * Test support (not shipped): training-loss shapes for the curve checks, built from formulas with
 * seeded noise. `healthyShapes` are nasty-but-healthy runs every curve check must leave alone (at
 * least at error/warning); the other builders are the broken shapes the checks exist to catch.
 */
import type { CheckContext } from '../checks/check.js';
import { resolveCurves } from '../telemetry/curves.js';
import type { MetaValue, Run } from '../telemetry/run.js';
import type { SeriesSpec } from './runs.js';
import { curve, runFrom } from './runs.js';

/** The check context for a run, curves resolved as the engine does. */
export function ctxOf(run: Run): CheckContext {
  return { run, curves: resolveCurves(run) };
}

/** A run from `{ tag: series }` with metadata. */
export function runWith(scalars: Record<string, SeriesSpec>, meta: Record<string, MetaValue> = {}, unit: 'step' | 'epoch' = 'step'): Run {
  const run = runFrom(scalars, { unit });
  for (const [k, v] of Object.entries(meta)) run.meta.set(k, v);
  return run;
}

const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));
/** Validation points every `every` steps, taken from `f`. */
const every = (n: number, step: number, f: (i: number) => number): { steps: number[]; values: number[] } => {
  const steps = range(Math.floor(n / step), (k) => (k + 1) * step - 1);
  return { steps, values: steps.map(f) };
};

/** Per-batch loss decaying under 30% noise, with a validation curve slightly above it. */
export function noisyDecay(): Run {
  const f = (i: number): number => 2.3 * Math.exp(-i / 150) + 0.2;
  return runWith({ 'train/loss': curve(1000, f, 0.3, 11), 'val/loss': every(1000, 100, (i) => f(i) * 1.25 + 0.02) });
}

/** Linear lr warm-up over 50 steps; the loss spikes to ~4 during it, then decays. */
export function warmupSpike(): Run {
  const f = (i: number): number => (i < 40 ? 2.3 + 1.7 * Math.sin((Math.PI * i) / 40) : 0.3 + 2.0 * Math.exp(-(i - 40) / 80));
  return runWith({ 'train/loss': curve(500, f, 0.1, 12), lr: range(500, (i) => (i < 50 ? (1e-3 * i) / 50 : 1e-3)) });
}

/** Cosine annealing with warm restarts every 300 steps (SGDR): the loss jumps up at each restart. */
export function sgdr(): Run {
  const lr = (i: number): number => 1e-3 * 0.5 * (1 + Math.cos((Math.PI * (i % 300)) / 300));
  const f = (i: number): number => 0.3 + 1.7 * Math.exp(-i / 300) + 0.8 * (lr(i) / 1e-3);
  return runWith({ 'train/loss': curve(1200, f, 0.1, 13), lr: range(1200, lr) });
}

/** Step schedule 0.1 -> 0.01 (step 300) -> 0.001 (step 600): the loss plateaus, then drops after each step. */
export function stepLr(): Run {
  const f = (i: number): number =>
    i < 300 ? 0.9 + 1.4 * Math.exp(-i / 60) : i < 600 ? 0.5 + 0.4 * Math.exp(-(i - 300) / 20) : 0.35 + 0.15 * Math.exp(-(i - 600) / 20);
  return runWith({ 'train/loss': curve(900, f, 0.2, 14), lr: range(900, (i) => (i < 300 ? 0.1 : i < 600 ? 0.01 : 0.001)) });
}

/** A negative-valued loss (e.g. a noisy-label robust loss) falling from -0.5 to -2. */
export function negativeDecay(): Run {
  return runWith({ 'train/loss': curve(400, (i) => -2.0 + 1.5 * Math.exp(-i / 80), 0.1, 15) });
}

/** Six epoch-level points, converging, with validation. */
export function epochShort(): Run {
  return runWith({ 'train/loss': [1.9, 1.1, 0.8, 0.7, 0.68, 0.67], 'val/loss': [1.7, 1.15, 0.9, 0.82, 0.8, 0.8] }, {}, 'epoch');
}

/** A decaying loss with one 8x spike at step 150 that recovers at once. */
export function spikeRecovers(): Run {
  const values = curve(300, (i) => 1.5 * Math.exp(-i / 60) + 0.2, 0.1, 16);
  values[150] = (values[150] as number) * 8;
  return runWith({ 'train/loss': values });
}

/** Keras batch-level `loss`: a running mean over the epoch that resets every 100 batches (a sawtooth). */
export function kerasRunningMean(): Run {
  const raw = curve(1000, (i) => 0.3 + 2 * Math.exp(-i / 300), 0.3, 17);
  let sum = 0;
  const values = raw.map((v, i) => {
    if (i % 100 === 0) sum = 0;
    sum += v;
    return sum / ((i % 100) + 1);
  });
  return runWith({ 'batch/loss': values });
}

/** Every nasty-but-healthy shape, by name. */
export const healthyShapes: ReadonlyArray<readonly [string, () => Run]> = [
  ['noisy per-batch decay (30% noise)', noisyDecay],
  ['warm-up spike at the start', warmupSpike],
  ['cosine warm restarts (SGDR) with lr curve', sgdr],
  ['step-LR drops', stepLr],
  ['negative-valued decreasing loss', negativeDecay],
  ['6-point epoch-level curve', epochShort],
  ['one-point spike that recovers', spikeRecovers],
  ['Keras running-mean batch loss (sawtooth with the epoch)', kerasRunningMean],
];

/** Flat at ln(10) = 2.302 from the start, with relative noise `noise`. */
export function flatAt(level: number, noise: number, n = 500, seed = 21): Run {
  return runWith({ 'train/loss': curve(n, () => level, noise, seed) });
}

/** Falls from 2.3 to ~0.6 by step 120, then climbs steadily to ~1.8 (constant lr). */
export function risingAfterFall(): Run {
  const f = (i: number): number => (i < 120 ? 0.6 + 1.7 * (1 - i / 120) ** 2 : 0.6 + (1.2 * (i - 120)) / 280);
  return runWith({ 'train/loss': curve(400, f, 0.1, 22), lr: range(400, () => 1e-3) });
}

/** A healthy-looking decay that turns NaN at step `at` and stays NaN. */
export function nanAt(at: number, n = 300): Run {
  const values = curve(n, (i) => 2.3 * Math.exp(-i / 60) + 0.3, 0.1, 23).map((v, i) => (i >= at ? NaN : v));
  return runWith({ 'train/loss': values });
}

/** Still falling steeply at the last step. */
export function stillFalling(): Run {
  return runWith({ 'train/loss': curve(400, (i) => 2.3 * Math.exp(-i / 300) + 0.1, 0.1, 24) });
}

/** Plateau at 2.3 for 300 of 600 steps, then a drop to 0.4, at a constant learning rate. */
export function lateDrop(): Run {
  const f = (i: number): number => (i < 300 ? 2.3 : 0.4 + 1.9 * Math.exp(-(i - 300) / 40));
  return runWith({ 'train/loss': curve(600, f, 0.1, 25), lr: range(600, () => 1e-3) });
}

/** Large repeated oscillations (period 60 steps, +-0.6) around a slowly falling level. */
export function oscillating(): Run {
  return runWith({ 'train/loss': curve(600, (i) => 1.0 + 0.3 * Math.exp(-i / 200) + 0.6 * Math.sin((2 * Math.PI * i) / 60), 0.05, 26) });
}

/** Train loss falls only from 1.0 to ~0.8 and stays there, validation right beside it. */
export function underfit(): Run {
  const f = (i: number): number => 0.8 + 0.2 * Math.exp(-i / 50);
  return runWith({ 'train/loss': curve(500, f, 0.1, 27), 'val/loss': every(500, 50, (i) => f(i) * 1.03) });
}
