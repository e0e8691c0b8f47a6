/**
 * C9 Unstable: large, repeated oscillations of the training loss (learning rate too high, or batch too
 * small). Per-batch noise is not instability: swings are counted on a lightly smoothed curve and must be
 * large against the curve's own range, its level and its noise; one spike that recovers is not enough,
 * and rises the learning-rate schedule explains (warm-up, warm restarts) do not count.
 */
import { finitePrefix } from '../analysis/finite-prefix.js';
import { lrFor, lrRose } from '../analysis/lr-events.js';
import { diffNoise } from '../analysis/noise.js';
import { median, quantile } from '../analysis/robust.js';
import { autoWindow, medianSmooth } from '../analysis/smooth.js';
import { oscillations } from '../analysis/swings.js';
import type { Finding } from '../findings/finding.js';
import type { Check } from './check.js';
import { makeFinding, tooLittleData } from './check.js';

export const C9_MIN_POINTS = 10;
/** A swing must be at least this share of the smoothed curve's range (5th-95th percentile) ... */
export const C9_SWING_RANGE = 0.3;
/** ... and of its median level (positive losses) ... */
export const C9_SWING_LEVEL = 0.1;
/** ... and this many noise standard deviations of the smoothed curve (per-step curves). */
export const C9_SWING_NOISE = 6;
/** Repeated: at least this many oscillations, or this many spikes. */
export const C9_MIN_REPEATS = 3;
/** A spike is a single point at least this many times the local (smoothed) level. */
export const C9_SPIKE_FACTOR = 2;
/** Curves this long are per-step: smoothed, and checked for spikes and against noise. */
export const C9_PER_STEP_POINTS = 30;

const fmt = (v: number): string => (Math.abs(v) >= 100 || (v !== 0 && Math.abs(v) < 0.01) ? v.toPrecision(3) : v.toFixed(3));

/** Indices of spikes: points at least {@link C9_SPIKE_FACTOR}x the local level and far above the noise (a run of them counts once). */
function spikes(values: readonly number[], smoothed: readonly number[], noise: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const base = smoothed[i] as number;
    const spike = v >= C9_SPIKE_FACTOR * base && v - base > C9_SWING_NOISE * noise;
    if (spike && out[out.length - 1] !== i - 1) out.push(i);
  }
  return out;
}

/**
 * C9: the loss oscillates widely and repeatedly.
 * @example
 * c9Unstable.run(ctx)[0]?.evidence // { oscillations: 9, minRepeats: 3, swingThreshold: 0.33, ... }
 */
export const c9Unstable: Check = {
  id: 'C9',
  title: 'Unstable',
  severity: 'warning',
  kind: 'log',
  description: 'Train loss oscillates widely and repeatedly (or spikes repeatedly) beyond its per-batch noise, with no learning-rate schedule to explain it.',
  run(ctx): Finding[] {
    const loss = ctx.curves.trainLoss;
    if (!loss) return [];
    const prefix = finitePrefix(loss, true);
    const { steps, values } = prefix;
    const n = values.length;
    if (n < C9_MIN_POINTS) return prefix.nonFiniteStep === null ? [tooLittleData(c9Unstable, loss.tag, n, C9_MIN_POINTS)] : [];
    const perStep = n >= C9_PER_STEP_POINTS;
    const w = perStep ? Math.max(3, Math.floor(autoWindow(n) / 2) | 1) : 1;
    const s = medianSmooth(values, w);
    const sigma = diffNoise(values);
    const noise = Number.isFinite(sigma) ? sigma : 0;
    const positive = values.every((v) => v > 0);
    const level = median(s);
    const range = quantile(s, 0.95) - quantile(s, 0.05);
    const height = Math.max(
      C9_SWING_RANGE * range,
      positive ? C9_SWING_LEVEL * level : 0,
      perStep ? (C9_SWING_NOISE * 1.25 * noise) / Math.sqrt(w) : 0,
    );
    const lr = lrFor(loss, ctx.curves.lr);
    const explained = (from: number, to: number): boolean => lr !== null && lrRose(lr, steps[Math.max(0, from - w)] as number, steps[to] as number);
    const swings = oscillations(s, height).filter((o) => !explained(o.low, o.high));
    const spikeAt = perStep && positive ? spikes(values, s, noise).filter((i) => !explained(i, i)) : [];
    if (swings.length < C9_MIN_REPEATS && spikeAt.length < C9_MIN_REPEATS) return [];
    const bySwings = swings.length >= C9_MIN_REPEATS;
    const firstIdx = bySwings ? (swings[0]?.low ?? 0) : (spikeAt[0] ?? 0);
    const lastIdx = bySwings ? (swings[swings.length - 1]?.high ?? n - 1) : (spikeAt[spikeAt.length - 1] ?? n - 1);
    const fromStep = steps[firstIdx] as number;
    const toStep = steps[lastIdx] as number;
    const maxRise = Math.max(0, ...swings.map((o) => o.rise));
    const what = bySwings
      ? `${swings.length} swings up and back down of at least ${fmt(height)} (largest ${fmt(maxRise)}; ${C9_MIN_REPEATS} needed)`
      : `${spikeAt.length} spikes to ${C9_SPIKE_FACTOR}x or more of the local level (${C9_MIN_REPEATS} needed)`;
    return [
      makeFinding(c9Unstable, {
        severity: 'warning',
        message: `${loss.tag} oscillates between steps ${fromStep} and ${toStep}: ${what}, around a level of ${fmt(level)}${lr ? `, with no lr rise in ${lr.tag} to explain them` : ''}.`,
        tags: [loss.tag],
        steps: [fromStep, toStep],
        evidence: {
          oscillations: swings.length,
          spikes: spikeAt.length,
          minRepeats: C9_MIN_REPEATS,
          swingThreshold: height,
          largestSwing: maxRise,
          level,
          range,
          noise,
          smoothingWindow: w,
          spikeFactor: C9_SPIKE_FACTOR,
        },
        actions: [
          'lower the learning rate 3-10x (or run the P2 learning-rate range test)',
          'increase the batch size (or accumulate gradients) to reduce gradient noise',
          'add gradient clipping (clip the global norm, e.g. at 1.0); check the gradient-norm curve for spikes (T2)',
          'if the swings have the epoch period, check the shuffling (C7, D4)',
        ],
      }),
    ];
  },
};
