/**
 * C7 Periodic loss: the per-batch training loss repeats a pattern with the epoch length, the signature of
 * training data seen in the same order every epoch. Quiet for the two look-alikes: Keras' batch-level
 * running mean (a sawtooth whose jitter dies out within each epoch) and cyclic learning-rate schedules.
 */
import { dominantPeriod } from '../analysis/autocorrelation.js';
import { finitePoints } from '../analysis/finite.js';
import { movingAverage, residual } from '../analysis/noise.js';
import { periodicity, phaseBins, type Periodicity } from '../analysis/phase-fold.js';
import { binnedMeans, blockMeans } from '../analysis/resample.js';
import { median, robustStd } from '../analysis/robust.js';
import { stepsPerEpoch } from '../analysis/steps-per-epoch.js';
import type { Finding } from '../findings/finding.js';
import type { Curve } from '../telemetry/curves.js';
import { toCurve } from '../telemetry/curves.js';
import { classifyTag } from '../telemetry/tags.js';
import type { Check, CheckContext } from './check.js';
import { makeFinding, tooLittleData } from './check.js';
import { maxOf } from '../analysis/extremes.js';

/**
 * Logged points per epoch needed to see a pattern inside an epoch (4 batches of a shuffled 128-example
 * set showed a chance 'pattern' in the corpus), and epochs needed to see it repeat.
 */
const MIN_POINTS_PER_EPOCH = 8;
const MIN_EPOCHS = 3;
/** Without an epoch length, points needed to search for a period (at least 6 repeats of it). */
const MIN_POINTS_UNKNOWN = 64;
/** Longer curves are block-averaged to this many points first. */
const MAX_POINTS = 3000;
/** The phase must explain this share of the detrended variance, with this F statistic... */
const MIN_ETA2 = 0.1;
const MIN_F = 4;
/** ...and the pattern must span this share of the loss level peak to peak (log scale for positive losses). */
const MIN_AMPLITUDE = 0.05;
/** Autocorrelation a candidate period needs when the epoch length is unknown. */
const MIN_ACF = 0.3;
/** A period within this relative distance of the epoch length is the epoch period. */
const PERIOD_MATCH = 0.1;
/**
 * Late-epoch jitter / early-epoch jitter below this = a running mean that resets each epoch (Keras).
 * A running mean's step k moves by (x_k - mean)/k: with 20 batches per epoch the late half moves ~0.2x
 * as much as the start, less with longer epochs; per-batch losses of unshuffled data measure 0.4-0.9
 * (corpus, tuning part).
 */
const RUNNING_MEAN_RATIO = 0.25;
/** ...or: this share of the within-epoch differences drift one way and the reset jump (this many times larger) goes the same way. */
const MONOTONE_SHARE = 0.9;
const JUMP_RATIO = 5;
/** The lr repeats with the same period (phase explains >= 50% and it swings >= 1.5x): a cyclic schedule. */
const LR_ETA2 = 0.5;
const LR_SWING = Math.log(1.5);
const MAX_BINS = 12;

const round = (x: number): number => Number(x.toPrecision(3));
const odd = (x: number): number => (Math.round(x) % 2 === 1 ? Math.round(x) : Math.round(x) + 1);

/** The train loss with the most points logged per step (the per-batch one when there is one). */
function perBatchCurve(ctx: CheckContext): Curve | null {
  const cands: Curve[] = ctx.curves.trainLoss?.unit === 'step' ? [ctx.curves.trainLoss] : [];
  for (const s of ctx.run.scalars.values()) {
    const info = classifyTag(s.tag);
    if (s.unit === 'step' && info.kind === 'loss' && (info.split === 'train' || info.split === null) && s.tag !== ctx.curves.trainLoss?.tag) cands.push(toCurve(s));
  }
  cands.sort((a, b) => b.values.length - a.values.length);
  return cands[0] ?? null;
}

/** Periodicity of `y` at `period` steps after removing a one-period moving average. */
function strength(steps: readonly number[], y: readonly number[], period: number, origin: number, spacing: number): Periodicity {
  const ppe = period / spacing;
  const w = odd(ppe);
  const r = residual(y, movingAverage(y, w));
  const h = Math.floor(w / 2);
  const bins = Math.max(2, Math.min(MAX_BINS, Math.floor(ppe)));
  return periodicity(steps.slice(h, steps.length - h), r.slice(h, r.length - h), period, bins, origin);
}

const significant = (p: Periodicity, scale: number): boolean => p.eta2 >= MIN_ETA2 && p.f >= MIN_F && p.amplitude / scale >= MIN_AMPLITUDE;

/**
 * Keras-style running mean that resets each epoch. Two signatures, either suffices: the jitter of the
 * first differences dies out within the epoch (late/early below RUNNING_MEAN_RATIO), or the curve drifts
 * monotonically within each epoch and the reset jump goes the same way as the drift (a periodic data
 * order instead jumps back against it at the boundary).
 */
function isRunningMean(steps: readonly number[], y: readonly number[], period: number, spacing: number): boolean {
  const bins = Math.max(3, Math.min(MAX_BINS, Math.round(period / spacing)));
  const bin = phaseBins(steps, period, bins, steps[0] as number);
  const diffs: number[][] = Array.from({ length: bins }, () => []);
  for (let i = 1; i < y.length; i++) (diffs[bin[i] as number] as number[]).push((y[i] as number) - (y[i - 1] as number));
  const meanAbs = diffs.map((d) => (d.length ? d.reduce((a, b) => a + Math.abs(b), 0) / d.length : 0));
  const reset = meanAbs.indexOf(maxOf(meanAbs));
  const spread = (k: number): number => robustStd(diffs[(reset + k) % bins] as number[]);
  const early = spread(1);
  const lateBins = Array.from({ length: bins - Math.ceil(bins / 2) }, (_, j) => spread(Math.ceil(bins / 2) + j));
  const late = lateBins.reduce((a, b) => a + b, 0) / Math.max(1, lateBins.length);
  if (early > 0 && late / early < RUNNING_MEAN_RATIO) return true;
  const within = diffs.filter((_, b) => b !== reset).flat();
  const drift = median(within);
  const jumps = diffs[reset] as number[];
  const jump = jumps.reduce((a, b) => a + b, 0) / Math.max(1, jumps.length);
  const monotone = within.filter((d) => d !== 0 && Math.sign(d) === Math.sign(drift)).length / Math.max(1, within.length);
  return drift !== 0 && Math.sign(jump) === Math.sign(drift) && monotone >= MONOTONE_SHARE && Math.abs(jump) >= JUMP_RATIO * median(within.map(Math.abs));
}

function lrCycles(ctx: CheckContext, steps: readonly number[], period: number, spacing: number): boolean {
  const lr = ctx.curves.lr;
  if (!lr) return false;
  const at = binnedMeans(lr.steps, lr.values, steps).map((v) => (v > 0 ? Math.log(v) : NaN));
  const p = strength(steps, at, period, steps[0] as number, spacing);
  return p.eta2 >= LR_ETA2 && p.amplitude >= LR_SWING;
}

/** What {@link detectPeriodicLoss} found: a significant repeat of the per-batch loss, and whether it has the epoch length. */
export interface PeriodicLoss {
  readonly curve: Curve;
  readonly periodSteps: number;
  /** The period is the number of steps per epoch (within 10%): C7 warns (unshuffled data). */
  readonly matchesEpoch: boolean;
  readonly stepsPerEpoch: number | null;
  readonly periodicity: Periodicity;
  readonly autocorrelation: number | null;
  /** Peak to peak of the pattern relative to the loss level (log scale for positive losses). */
  readonly amplitudeRelative: number;
}

/**
 * C7's detection without the finding: the per-batch train loss repeats a pattern (not a Keras running
 * mean, not an lr cycle), or `null`; `tooLittle` when the epoch length is known but fewer than 3 epochs
 * are logged. Other checks use it to defer to the periodic explanation (C9: swings with the epoch period).
 * @example
 * detectPeriodicLoss(ctx)?.matchesEpoch // true on unshuffled data
 */
export function detectPeriodicLoss(ctx: CheckContext): PeriodicLoss | null {
  const found = detect(ctx);
  return found && 'periodSteps' in found ? found : null;
}

function detect(ctx: CheckContext): PeriodicLoss | { tooLittle: Finding } | null {
  const curve = perBatchCurve(ctx);
  if (!curve) return null;
  const raw = finitePoints(curve.steps, curve.values);
  const spacing = median(raw.steps.slice(1).map((s, i) => s - (raw.steps[i] as number)));
  const grid = stepsPerEpoch(ctx.curves.epoch);
  const n = raw.values.length;
  if (!(spacing > 0)) return null;
  if (grid) {
    const ppe = grid.stepsPerEpoch / spacing;
    if (ppe < MIN_POINTS_PER_EPOCH) return null;
    if (n < MIN_EPOCHS * ppe) return { tooLittle: tooLittleData(c7PeriodicLoss, curve.tag, n, Math.ceil(MIN_EPOCHS * ppe)) };
  } else if (n < MIN_POINTS_UNKNOWN) return null;
  const positive = raw.values.every((v) => v > 0);
  const ds = blockMeans(raw.steps, positive ? raw.values.map(Math.log) : raw.values, MAX_POINTS);
  const { steps, values: y } = ds;
  const step = ds.steps.length > 1 ? ((ds.steps[ds.steps.length - 1] as number) - (ds.steps[0] as number)) / (ds.steps.length - 1) : spacing;
  const scale = positive ? 1 : Math.max(Math.abs(median(raw.values)), Number.MIN_VALUE);

  let period = NaN;
  let p: Periodicity | null = null;
  let acf: number | null = null;
  if (grid) {
    const q = strength(steps, y, grid.stepsPerEpoch, grid.offset, step);
    if (significant(q, scale)) [period, p] = [grid.stepsPerEpoch, q];
  }
  if (!p && y.length >= MIN_POINTS_UNKNOWN) {
    const w = odd(y.length / 6);
    const r = movingAverage(residual(y, movingAverage(y, w)), 3);
    const found = dominantPeriod(r, MIN_POINTS_PER_EPOCH, Math.floor(y.length / 6), MIN_ACF);
    if (found) {
      const q = strength(steps, y, found.lag * step, steps[0] as number, step);
      if (significant(q, scale)) [period, p, acf] = [found.lag * step, q, found.acf];
    }
  }
  if (!p) return null;
  if (isRunningMean(steps, y, period, step)) return null;
  if (lrCycles(ctx, steps, period, step)) return null;
  const isEpoch = grid !== null && Math.abs(period / grid.stepsPerEpoch - 1) <= PERIOD_MATCH;
  return { curve, periodSteps: period, matchesEpoch: isEpoch, stepsPerEpoch: grid ? grid.stepsPerEpoch : null, periodicity: p, autocorrelation: acf, amplitudeRelative: p.amplitude / scale };
}

function judge(ctx: CheckContext): Finding[] {
  const found = detect(ctx);
  if (!found) return [];
  if ('tooLittle' in found) return [found.tooLittle];
  const { curve, periodSteps: period, matchesEpoch: isEpoch, stepsPerEpoch, periodicity: p, autocorrelation: acf, amplitudeRelative: amp } = found;
  const grid = stepsPerEpoch === null ? null : { stepsPerEpoch };
  const raw = finitePoints(curve.steps, curve.values);
  const n = raw.values.length;
  const first = raw.steps[0] as number;
  const last = raw.steps[n - 1] as number;
  const what = `${curve.tag} repeats a pattern every ${round(period)} steps`;
  const size = `the phase explains ${(p.eta2 * 100).toFixed(0)}% of its detrended variance (threshold ${MIN_ETA2 * 100}%), peak to peak ${(amp * 100).toFixed(0)}% of the loss level`;
  return [
    makeFinding(c7PeriodicLoss, {
      severity: isEpoch ? 'warning' : 'info',
      message: isEpoch
        ? `${what}, one epoch (${round((grid as NonNullable<typeof grid>).stepsPerEpoch)} steps): ${size}. The batches come in the same order every epoch: the data is not shuffled.`
        : `${what}${grid ? ` (not the epoch length ${round(grid.stepsPerEpoch)})` : ' (epoch length unknown)'}: ${size}. If that is the number of steps per epoch, the data is not shuffled.`,
      tags: [curve.tag],
      steps: [first, last],
      evidence: {
        periodSteps: round(period),
        stepsPerEpoch: grid ? round(grid.stepsPerEpoch) : null,
        matchesEpoch: isEpoch,
        periodMatchTolerance: PERIOD_MATCH,
        eta2: round(p.eta2),
        eta2Threshold: MIN_ETA2,
        fStatistic: round(p.f),
        fThreshold: MIN_F,
        amplitudeRelative: round(amp),
        amplitudeThreshold: MIN_AMPLITUDE,
        autocorrelation: acf === null ? null : round(acf),
        profile: p.profile.map(round),
      },
      actions: [
        'shuffle the training data each epoch (shuffle=True in DataLoader / model.fit, dataset.shuffle(buffer) with a buffer >= the dataset size in tf.data)',
        'if the data is sharded or sorted (by class, by date, by length), interleave the shards before batching',
      ],
    }),
  ];
}

/**
 * C7 Periodic loss, from the per-batch train loss and the epoch length (from the `epoch` curve; else the
 * dominant autocorrelation period is reported as info). Warning when the epoch phase explains >= 10% of
 * the detrended log-loss variance (F >= 8, peak to peak >= 5%), unless the shape is a Keras running mean
 * or the learning rate cycles with the same period. Epoch-level curves: no finding.
 * @example
 * c7PeriodicLoss.run({ run, curves: resolveCurves(run) })[0]?.evidence.periodSteps // 100
 */
export const c7PeriodicLoss: Check = {
  id: 'C7',
  title: 'Periodic loss',
  severity: 'warning',
  kind: 'log',
  description: 'The per-batch loss repeats with the epoch length: the training data is not shuffled.',
  run: judge,
};
