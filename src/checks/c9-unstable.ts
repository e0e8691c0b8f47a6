/**
 * C9 Unstable: large, repeated oscillations of the training loss (learning rate too high, or batch too
 * small). Per-batch noise is not instability: swings are counted on a lightly smoothed curve and must be
 * large against the curve's own range, its level and its noise; one spike that recovers is not enough,
 * and rises the learning-rate schedule explains (warm-up, warm restarts) do not count. Swings that repeat
 * with the epoch period are C7's finding (unshuffled data), not instability: C9 then counts only spikes.
 */
import { decimate } from '../analysis/decimate.js';
import { epochLevelPoints } from '../analysis/epoch-points.js';
import { finitePrefix } from '../analysis/finite-prefix.js';
import { lrFor, lrRose } from '../analysis/lr-events.js';
import { diffNoise } from '../analysis/noise.js';
import { median, quantile } from '../analysis/robust.js';
import { autoWindow, medianSmooth } from '../analysis/smooth.js';
import type { Oscillation } from '../analysis/swings.js';
import { oscillations } from '../analysis/swings.js';
import type { Finding } from '../findings/finding.js';
import type { Check } from './check.js';
import { makeFinding, tooLittleData } from './check.js';
import { detectPeriodicLoss } from './c7-periodic-loss.js';

export const C9_MIN_POINTS = 10;
/** A swing must be at least this share of the smoothed curve's range (5th-95th percentile) ... */
export const C9_SWING_RANGE = 0.3;
/** ... and of the level at its peak (positive losses) ... */
export const C9_SWING_LEVEL = 0.1;
/** ... and this many standard deviations of the local noise of the smoothed curve (per-step curves). */
export const C9_SWING_NOISE = 6;
/** Repeated: at least this many oscillations, or this many spikes. */
export const C9_MIN_REPEATS = 3;
/** A spike is a single point at least this many times the median of the points before it ... */
export const C9_SPIKE_FACTOR = 2;
/** ... that median taken over this many previous points ... */
export const C9_SPIKE_WINDOW = 20;
/** ... and at least this share of the starting level above it (median of the first 10%: 0.58 for a 10-class cross-entropy from 2.3). */
export const C9_SPIKE_RISE = 0.25;
/**
 * A spike of a single logged point counts when it reaches this many times the median before it, or
 * when the next point is still above {@link C9_SPIKE_FACTOR}x (the loss took more than one step to
 * come back). One hard batch of a well-trained model is 2-4x the median of its neighbours (a
 * fine-tuned model at 0.13 logs single points at 0.3-0.5 every hundred steps); an order of magnitude in
 * one batch, or an excursion that outlives the batch that caused it, is the optimiser thrown off.
 */
export const C9_SINGLE_SPIKE_FACTOR = 10;
/**
 * Lower one-point spikes still count when they are this frequent (share of the points judged): hard
 * batches are rare by nature (about 1% of the steps in the fine-tuning logs above), while a loss that
 * jumps to 2x every few steps (a spike train: unshuffled data, a rate at the edge of stability) is the
 * instability itself. One step in twenty is five times the hard-batch rate.
 */
export const C9_SPIKE_TRAIN_RATE = 0.05;
/** Spikes in the first 10% of the points (the initial fall) do not count. */
export const C9_SPIKE_SKIP = 0.1;
/** A spike comes back down: within this many points the loss is back below halfway between the spike and its reference (a jump to a new level, e.g. a warm restart, is no spike). */
export const C9_SPIKE_RECOVERY = 5;
/** Curves this long are per-step: smoothed, and checked for spikes and against noise. */
export const C9_PER_STEP_POINTS = 30;
/**
 * Order-of-magnitude spikes of epoch-level points (each an average over a whole epoch, W&B and Keras
 * logs with one row per epoch) that repeat this often are instability. A tenfold jump of an epoch
 * average is no hard batch (the averaging removed those) but an epoch the optimiser spent thrown off,
 * the event {@link C9_SINGLE_SPIKE_FACTOR} names; thrown off twice is repeated. Such spikes need no
 * minimum height against the starting level ({@link C9_SPIKE_RISE} keeps the per-batch noise of a
 * near-zero loss out, which epoch averages do not have): a memorised loss at 0.004 jumping to 0.09
 * is the optimiser leaving its minimum however small the numbers are.
 */
export const C9_MIN_EPOCH_SPIKES = 2;

const fmt = (v: number): string => (Math.abs(v) >= 100 || (v !== 0 && Math.abs(v) < 0.01) ? v.toPrecision(3) : v.toFixed(3));

/**
 * Indices of spikes after the first 10%: points at least {@link C9_SPIKE_FACTOR}x the median of the
 * previous {@link C9_SPIKE_WINDOW} points and {@link C9_SPIKE_RISE} x the starting level above it, that come
 * back below halfway within {@link C9_SPIKE_RECOVERY} points (a run of them counts once). A one-point
 * spike below {@link C9_SINGLE_SPIKE_FACTOR}x counts only in a spike train ({@link C9_SPIKE_TRAIN_RATE}).
 * A trailing median, not the curve's noise, is the reference: a loss that keeps jumping between two
 * levels (a spike every other step) has a huge step-to-step noise yet every jump is a spike.
 */
function spikes(values: readonly number[], epochLevel: boolean): { at: number[]; big: number[]; minRise: number } {
  const n = values.length;
  const start = median(values.slice(0, Math.max(1, Math.round(n * C9_SPIKE_SKIP))));
  const minRise = C9_SPIKE_RISE * start;
  const at: number[] = [];
  const singles: number[] = [];
  const big: number[] = [];
  let last = -2;
  let bigUntil = -1; // the last point of the previous big spike's excursion (one excursion counts once)
  const first = Math.max(C9_SPIKE_WINDOW, Math.ceil(n * C9_SPIKE_SKIP));
  for (let i = first; i < n; i++) {
    const v = values[i] as number;
    const window = values.slice(i - C9_SPIKE_WINDOW, i);
    const ref = median(window);
    const tenfold = v >= C9_SINGLE_SPIKE_FACTOR * ref;
    if (v < C9_SPIKE_FACTOR * ref || last === i - 1) continue;
    if (v - ref < minRise && !(epochLevel && tenfold)) continue;
    const backAt = values.slice(i + 1, i + 1 + C9_SPIKE_RECOVERY).findIndex((x) => x < (v + ref) / 2);
    if (backAt < 0) continue;
    if (epochLevel && tenfold && i > bigUntil) {
      big.push(i);
      bigUntil = i + 1 + backAt;
    }
    if (v - ref < minRise) {
      last = i;
      continue;
    }
    const next = values[i + 1];
    const single = v < C9_SINGLE_SPIKE_FACTOR * ref && !(next !== undefined && next >= C9_SPIKE_FACTOR * ref);
    (single ? singles : at).push(i);
    last = i;
  }
  const counted = singles.length >= C9_SPIKE_TRAIN_RATE * Math.max(1, n - first) ? at.concat(singles) : at;
  return { at: counted.sort((a, b) => a - b), big, minRise };
}

/**
 * C9: the loss oscillates widely and repeatedly: >= 3 swings (on the lightly smoothed curve, each >= 30%
 * of its range, >= 10% of its level and >= 6x its local noise), unless they repeat with the epoch period
 * (C7's periodic loss: unshuffled data); or >= 3 spikes after the first 10% of a per-step positive loss
 * (>= 2x the median of the previous 20 points and >= 25% of the starting level above it, back below
 * halfway within 5 points; a one-point spike under 10x only when spikes hit 5% of the steps: one hard
 * batch now and then is not instability); or, for epoch-level points (each an epoch average), >= 2
 * excursions to 10x the median of the previous 20 points or more that come back down, at any height.
 * Rises an lr increase explains do not count.
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
    const raw = prefix.values;
    const n = raw.length;
    if (n < C9_MIN_POINTS) return prefix.nonFiniteStep === null ? [tooLittleData(c9Unstable, loss.tag, n, C9_MIN_POINTS)] : [];
    const { steps, values } = decimate(prefix.steps, raw);
    const m = values.length;
    const perStep = n >= C9_PER_STEP_POINTS;
    const w = perStep ? Math.max(3, Math.floor(autoWindow(m) / 2) | 1) : 1;
    const s = medianSmooth(values, w);
    const positive = raw.every((v) => v > 0);
    const level = median(s);
    const range = quantile(s, 0.95) - quantile(s, 0.05);
    const height = Math.max(C9_SWING_RANGE * range, positive ? C9_SWING_LEVEL * level : 0);
    // Each swing must also clear the local level and the local noise: multiplicative batch noise is
    // larger where the loss is larger, so a global noise estimate would let early noise count as swings.
    const clears = (o: Oscillation): boolean => {
      if (positive && o.rise < C9_SWING_LEVEL * (s[o.high] as number)) return false;
      if (!perStep) return true;
      const local = diffNoise(values.slice(Math.max(0, o.low - 2 * w), Math.min(m, o.high + 2 * w + 1)));
      return !(o.rise < (C9_SWING_NOISE * 1.25 * (Number.isFinite(local) ? local : 0)) / Math.sqrt(w));
    };
    const lr = lrFor(loss, ctx.curves.lr);
    const explained = (fromStep: number, toStep: number): boolean => lr !== null && lrRose(lr, fromStep, toStep);
    const margin = (i: number): number => steps[Math.max(0, i - w)] as number;
    const swings = oscillations(s, height).filter((o) => clears(o) && !explained(margin(o.low), steps[o.high] as number));
    const sigma = perStep && positive ? diffNoise(raw) : NaN;
    const noise = Number.isFinite(sigma) ? sigma : 0;
    const epochLevel = epochLevelPoints({ unit: loss.unit, steps: prefix.steps }, ctx.curves.epoch, ctx.run.scalars.get(loss.tag));
    const spiky = perStep && positive ? spikes(raw, epochLevel) : { at: [], big: [], minRise: NaN };
    const notExplained = (i: number): boolean => !explained(prefix.steps[Math.max(0, i - 1)] as number, prefix.steps[i] as number);
    let spikeAt = spiky.at.filter(notExplained);
    const bigAt = spiky.big.filter(notExplained);
    const byEpochSpikes = spikeAt.length < C9_MIN_REPEATS && bigAt.length >= C9_MIN_EPOCH_SPIKES;
    if (byEpochSpikes) spikeAt = bigAt;
    // Swings with the epoch period are unshuffled data (C7 warns), not instability; spikes still count.
    const periodic = swings.length >= C9_MIN_REPEATS ? detectPeriodicLoss(ctx) : null;
    const epochPeriodic = periodic?.matchesEpoch === true;
    if (epochPeriodic) swings.length = 0;
    if (swings.length < C9_MIN_REPEATS && spikeAt.length < C9_MIN_REPEATS && !byEpochSpikes) return [];
    const bySwings = swings.length >= C9_MIN_REPEATS;
    const fromStep = bySwings ? (steps[swings[0]?.low ?? 0] as number) : (prefix.steps[spikeAt[0] ?? 0] as number);
    const toStep = bySwings ? (steps[swings[swings.length - 1]?.high ?? m - 1] as number) : (prefix.steps[spikeAt[spikeAt.length - 1] ?? n - 1] as number);
    const maxRise = swings.reduce((a, o) => Math.max(a, o.rise), 0);
    const what = bySwings
      ? `${swings.length} swings up and back down of at least ${fmt(height)} (largest ${fmt(maxRise)}; ${C9_MIN_REPEATS} needed)`
      : byEpochSpikes
        ? `${spikeAt.length} epoch averages at ${C9_SINGLE_SPIKE_FACTOR}x or more of the median of the previous ${C9_SPIKE_WINDOW} epochs that came back down (${spikeAt.map((i) => `step ${prefix.steps[i]}: ${fmt(raw[i] as number)}`).join(', ')}; ${C9_MIN_EPOCH_SPIKES} needed)`
        : `${spikeAt.length} spikes to ${C9_SPIKE_FACTOR}x or more of the median of the previous ${C9_SPIKE_WINDOW} points and at least ${fmt(spiky.minRise)} above it (${C9_MIN_REPEATS} needed${epochPeriodic ? `; the swings that repeat every epoch (${fmt(periodic?.periodSteps ?? NaN)} steps) are left to C7` : ''})`;
    return [
      makeFinding(c9Unstable, {
        severity: 'warning',
        message: `${loss.tag} oscillates between steps ${fromStep} and ${toStep}: ${what}, around a level of ${fmt(level)}${lr ? `, with no lr rise in ${lr.tag} to explain them` : ''}.`,
        tags: [loss.tag],
        steps: [fromStep, toStep],
        evidence: {
          oscillations: swings.length,
          spikes: spikeAt.length,
          minRepeats: byEpochSpikes ? C9_MIN_EPOCH_SPIKES : C9_MIN_REPEATS,
          epochLevelSpikes: byEpochSpikes,
          swingThreshold: height,
          largestSwing: maxRise,
          level,
          range,
          noise,
          smoothingWindow: w,
          spikeFactor: C9_SPIKE_FACTOR,
          spikeWindow: C9_SPIKE_WINDOW,
          spikeMinRise: Number.isFinite(spiky.minRise) ? spiky.minRise : null,
          epochPeriodicSwings: epochPeriodic,
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
