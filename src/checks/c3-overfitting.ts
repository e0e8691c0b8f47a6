/**
 * C3 Overfitting: train loss keeps falling while validation loss turns up (or stops improving for a
 * long time) and the gap between them widens. A validation loss still creeping down, however slowly,
 * has not stalled: early stopping would keep its last checkpoint, and a gap that grows while val still
 * improves, or that is still at its lowest at the end, is the large, stable gap the catalogue does not
 * call overfitting.
 */
import { binnedMeans, rescaleSteps } from '../analysis/resample.js';
import { median } from '../analysis/robust.js';
import { medianSmooth } from '../analysis/smooth.js';
import { tailTrend, tCritical05 } from '../analysis/tail-trend.js';
import { turnaround } from '../analysis/turnaround.js';
import type { Finding, Severity } from '../findings/finding.js';
import type { Check, CheckContext } from './check.js';
import { makeFinding, tooLittleData } from './check.js';

/** Validation points needed: one before the minimum, the minimum, and {@link MIN_POINTS_AFTER} after it (the first is skipped from 5 on). */
const MIN_VAL_POINTS = 5;
/**
 * Validation points after the (smoothed) minimum before "turned up" or "stalled" can be said: with the
 * minimum among the last 3 evaluations val is still at its best at the end (early stopping with the
 * usual patience would not have stopped yet).
 */
const MIN_POINTS_AFTER = 3;
/**
 * Rise of val loss above its (smoothed) minimum, relative to the minimum, for a warning / an error.
 * 5%: the least a user acts on (restoring the best checkpoint then saves 5%), a documented trade-off.
 * 25%: the labelling rule's "clear" overfitting (rises of ~30%; 10-25% are debatable), where the last
 * checkpoint is plainly worse than the best.
 */
const RISE_WARN = 0.05;
const RISE_ERROR = 0.25;
/**
 * The rise must also exceed this many times the per-point noise of val loss: the minimum of m noisy
 * levels sits about sqrt(2 ln m) noise units below the true level (the expected maximum of m normals),
 * 2.1-3.0 for 10-100 evaluations, so a smaller rise can be that selection bias alone.
 */
const NOISE_MULTIPLE = 2.5;
/**
 * Relative fall of train loss since the val minimum that counts as "train kept falling" (warning /
 * error): the same share as the val rise of a warning, so the gap widens because train improves while
 * val worsens by comparable amounts, not because one curve drifts; twice that for an error.
 */
const TRAIN_FALL_WARN = 0.05;
const TRAIN_FALL_ERROR = 0.1;
/**
 * Stall variant: val has not improved for this share of its points while train fell this much: over a
 * third of the run, longer than any usual early-stopping patience would wait.
 */
const STALL_SHARE = 0.35;
/** ... over at least this many evaluations after the plateau starts: the common early-stopping patience (3 of 8 points is a curve still settling). */
const STALL_MIN_POINTS = 5;
/** Train must have fallen this share meanwhile: four times the rise pattern's 5%, since a flat val adds no evidence of its own. */
const STALL_TRAIN_FALL = 0.2;
/** ...and the val - train gap grew by at least this share of the val level: twice the rise pattern's 5% for the same reason. */
const STALL_GAP_GROWTH = 0.1;
/** The stall starts where smoothed val first came within max(noise, this share of its minimum) of the minimum: 1%, the resolution a loss is read at (2-3 significant digits). */
const PLATEAU_TOLERANCE = 0.01;

const round = (x: number): number => Number(x.toPrecision(4));
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function judge(ctx: CheckContext): Finding[] {
  const { trainLoss: train, valLoss: val } = ctx.curves;
  if (!val || !train) return [];
  const t = turnaround(val.steps, val.values);
  if (!t || t.values.length < MIN_VAL_POINTS) return [tooLittleData(c3Overfitting, val.tag, t?.values.length ?? 0, MIN_VAL_POINTS)];
  const n = t.values.length;
  const last = t.steps[n - 1] as number;
  // Train loss on the val steps (mean of the train points logged since the previous evaluation).
  const trainSteps = train.unit === val.unit ? train.steps : rescaleSteps(train.steps, [t.steps[0] as number, last]);
  const trainAt = medianSmooth(binnedMeans(trainSteps, train.values, t.steps), 3);
  const trainEnd = median(trainAt.slice(n - t.tail));
  if (!Number.isFinite(trainEnd)) return [];
  const scale = Math.abs(t.minValue) > 0 ? Math.abs(t.minValue) : 1;
  const noise = Number.isFinite(t.noise) ? t.noise : 0;
  const gapEnd = t.endValue - trainEnd;
  /** The reference point a pattern is measured from: val and train there, the train fall and gap growth since. */
  const from = (index: number) => {
    const trainThen = trainAt[index] as number;
    const valThen = t.smoothed[index] as number;
    return {
      index,
      step: t.steps[index] as number,
      val: valThen,
      train: trainThen,
      trainFall: (trainThen - trainEnd) / Math.max(Math.abs(trainThen), Number.MIN_VALUE),
      gap: valThen - trainThen,
    };
  };
  const atMin = from(t.minIndex);
  const riseRel = t.rise / scale;
  const rose = t.pointsAfter >= MIN_POINTS_AFTER && t.rise > NOISE_MULTIPLE * noise && gapEnd > atMin.gap;
  // Stall: from the first point within tolerance of the minimum on, val has not really improved.
  const tol = Math.max(noise, PLATEAU_TOLERANCE * scale);
  const atPlateau = from(Math.max(1, t.smoothed.findIndex((v, i) => i >= 1 && v <= t.minValue + tol)));
  const stallShare = (n - 1 - atPlateau.index) / (n - 1);
  // Only val above train is a generalisation gap: train falling to meet val (dropout, augmentation) is not.
  const gapGrowth = gapEnd - Math.max(0, atPlateau.gap);
  // Stalled means not improving: a val slope over the plateau significantly below zero (one-sided 5%) is still progress.
  const plateauTrend = tailTrend(t.steps.slice(atPlateau.index), t.values.slice(atPlateau.index), 1);
  const stillImproving = plateauTrend !== null && plateauTrend.t <= -tCritical05(plateauTrend.n - 2);

  let severity: Severity | null = null;
  let ref = atMin;
  if (rose && riseRel >= RISE_ERROR && atMin.trainFall >= TRAIN_FALL_ERROR) severity = 'error';
  else if (rose && riseRel >= RISE_WARN && atMin.trainFall >= TRAIN_FALL_WARN) severity = 'warning';
  else if (
    !stillImproving &&
    t.pointsAfter >= MIN_POINTS_AFTER &&
    stallShare >= STALL_SHARE &&
    n - 1 - atPlateau.index >= STALL_MIN_POINTS &&
    atPlateau.trainFall >= STALL_TRAIN_FALL &&
    gapGrowth >= STALL_GAP_GROWTH * scale &&
    gapGrowth > NOISE_MULTIPLE * noise
  ) {
    severity = 'warning';
    ref = atPlateau;
  }
  if (!severity || !Number.isFinite(ref.train)) return [];
  const pattern = ref === atMin ? 'rose' : 'stalled';
  const what =
    pattern === 'rose'
      ? `${val.tag} rose ${pct(riseRel)} above its minimum (${round(t.minValue)} at step ${t.minStep} -> ${round(t.endValue)} at the end)`
      : `${val.tag} has stalled within ${round(tol)} of its minimum ${round(t.minValue)} since step ${ref.step} (${n - 1 - ref.index} of ${n} evaluations; ${round(ref.val)} then, ${round(t.endValue)} at the end)`;
  return [
    makeFinding(c3Overfitting, {
      severity,
      message:
        `${what} while ${train.tag} fell ${pct(ref.trainFall)} (${round(ref.train)} -> ${round(trainEnd)}); ` +
        `the val-train gap widened from ${round(ref.gap)} to ${round(gapEnd)}. Best checkpoint: step ${t.bestStep} (val ${round(t.bestValue)}).`,
      tags: [val.tag, train.tag],
      steps: [ref.step, last],
      evidence: {
        pattern,
        bestStep: t.bestStep,
        bestValLoss: round(t.bestValue),
        fromStep: ref.step,
        valMinSmoothed: round(t.minValue),
        valEnd: round(t.endValue),
        valRise: round(t.rise),
        valRiseRelative: round(riseRel),
        riseWarnThreshold: RISE_WARN,
        riseErrorThreshold: RISE_ERROR,
        valNoise: round(noise),
        noiseMultiple: NOISE_MULTIPLE,
        trainFrom: round(ref.train),
        trainEnd: round(trainEnd),
        trainFallRelative: round(ref.trainFall),
        trainFallThreshold: pattern === 'stalled' ? STALL_TRAIN_FALL : severity === 'error' ? TRAIN_FALL_ERROR : TRAIN_FALL_WARN,
        gapFrom: round(ref.gap),
        gapEnd: round(gapEnd),
        stallShare: round(stallShare),
        stallShareThreshold: STALL_SHARE,
        plateauValTrendT: plateauTrend ? round(plateauTrend.t) : null,
      },
      actions: [
        `keep the checkpoint from step ${t.bestStep} (early stopping on val loss with patience ~5 evaluations, restore best weights)`,
        'add regularisation: dropout, weight decay (e.g. 1e-4), data augmentation',
        'get more training data, or use a smaller model',
      ],
    }),
  ];
}

/**
 * C3 Overfitting, from train and validation loss (aligned by step; val may be per epoch, train per step).
 * Warning when val loss rose >= 5% above its smoothed minimum (and above its noise) while train kept
 * falling, or stalled (no significant fall over the plateau, one-sided 5%; smoothed minimum >= 3
 * evaluations before the end) for >= 35% of the run (and >= 5 evaluations) while train fell >= 20% and
 * the gap widened; error when val rose >= 25% while train fell >= 10%. No validation curve: no finding.
 * @example
 * const findings = c3Overfitting.run({ run, curves: resolveCurves(run) });
 * findings[0]?.evidence.bestStep // the checkpoint to keep
 */
export const c3Overfitting: Check = {
  id: 'C3',
  title: 'Overfitting',
  severity: 'error',
  kind: 'log',
  description: 'Train loss keeps falling while validation loss turns up or stalls and the gap widens; reports the best checkpoint and the rise since.',
  run: judge,
};
