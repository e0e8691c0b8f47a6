/**
 * C8 Noisy validation: the validation curve jitters from one evaluation to the next far more than its
 * trend moves and than the train curve does at the same evaluations: the val set is too small to
 * rank checkpoints (or the weights at evaluation time are unstable).
 */
import { diffNoise, residual } from '../analysis/noise.js';
import { binnedMeans } from '../analysis/resample.js';
import { median } from '../analysis/robust.js';
import { medianSmooth } from '../analysis/smooth.js';
import type { Finding } from '../findings/finding.js';
import type { Curve } from '../telemetry/curves.js';
import type { Check, CheckContext } from './check.js';
import { makeFinding, tooLittleData } from './check.js';

/** Evaluations needed to separate jitter from trend. */
const MIN_POINTS = 8;
/** Trend = moving median over this many evaluations; jitter = robust std of the detrended first differences / sqrt(2). */
const TREND_WINDOW = 5;
/** Jitter must be at least this share of how far the trend moves over the last two thirds of the run... */
const JITTER_TO_TREND = 0.2;
/** ...at least this many times the same ratio of the train curve (averaged over the same evaluation intervals)... */
const VS_TRAIN = 3;
/** ...and large in absolute terms: 2 points for a 0..1 metric (binomial noise of a ~400-example val set at 80% accuracy), else 10% of the curve level. */
const MIN_JITTER_UNIT = 0.02;
const MIN_JITTER_RELATIVE = 0.1;

const round = (x: number): number => Number(x.toPrecision(3));

interface Jitter {
  readonly jitter: number;
  readonly trendSize: number;
  readonly ratio: number;
}

function measure(values: readonly number[]): Jitter {
  const trend = medianSmooth(values, TREND_WINDOW);
  const jitter = diffNoise(residual(values, trend));
  // Movement past the early transient: the part of the run where checkpoints are compared.
  const finite = trend.slice(Math.floor(trend.length / 3)).filter((v) => Number.isFinite(v));
  const trendSize = finite.length > 0 ? finite.reduce((a, b) => Math.max(a, b), -Infinity) - finite.reduce((a, b) => Math.min(a, b), Infinity) : NaN;
  return { jitter, trendSize, ratio: jitter / Math.max(trendSize, Number.MIN_VALUE) };
}

function judgeCurve(val: Curve, train: Curve | null): Finding | null {
  const steps: number[] = [];
  const values: number[] = [];
  val.values.forEach((v, i) => {
    if (Number.isFinite(v)) {
      steps.push(val.steps[i] as number);
      values.push(v);
    }
  });
  const v = measure(values);
  if (!Number.isFinite(v.jitter) || v.jitter === 0) return null;
  const unitRange = values.every((x) => x >= 0 && x <= 1);
  const level = Math.abs(median(values));
  const floor = unitRange ? MIN_JITTER_UNIT : MIN_JITTER_RELATIVE * level;
  const t = train ? measure(binnedMeans(train.steps, train.values, steps)) : null;
  const trainRatio = t && Number.isFinite(t.ratio) ? t.ratio : null;
  if (v.ratio < JITTER_TO_TREND || v.jitter < floor) return null;
  if (trainRatio !== null && v.ratio < VS_TRAIN * trainRatio) return null;
  const impliedN = unitRange ? Math.round((level * (1 - level)) / (v.jitter * v.jitter)) : null;
  const trainText = trainRatio === null ? '' : `, ${round(v.ratio / Math.max(trainRatio, 1e-12))}x the train curve's ${round(trainRatio)}`;
  return makeFinding(c8NoisyValidation, {
    severity: 'warning',
    message:
      `${val.tag} jitters by ${round(v.jitter)} per evaluation around its trend, ${round(v.ratio)} of how far the trend moves after the first third ` +
      `(${round(v.trendSize)}; threshold ${JITTER_TO_TREND})${trainText}` +
      (impliedN !== null ? `; that is the sampling noise of a val set of ~${impliedN} examples.` : '.') +
      ' Checkpoint ranking and early stopping on it are unreliable.',
    tags: train ? [val.tag, train.tag] : [val.tag],
    steps: [steps[0] as number, steps[steps.length - 1] as number],
    evidence: {
      jitter: round(v.jitter),
      minJitter: round(floor),
      trendMovement: round(v.trendSize),
      jitterToTrend: round(v.ratio),
      jitterToTrendThreshold: JITTER_TO_TREND,
      trainJitterToTrend: trainRatio === null ? null : round(trainRatio),
      vsTrainThreshold: VS_TRAIN,
      impliedValExamples: impliedN,
      evaluations: values.length,
    },
    actions: [
      'enlarge the validation set (~20% of the data, at least a few thousand examples for accuracy-like metrics)',
      'evaluate on the same fixed val set every time (no random subsampling or augmentation at eval)',
      'if the train loss is also unstable, lower the learning rate or evaluate an EMA of the weights',
    ],
  });
}

function judge(ctx: CheckContext): Finding[] {
  const { valMetric, valLoss, trainMetric, trainLoss } = ctx.curves;
  const pairs: Array<[Curve, Curve | null]> = [];
  if (valMetric) pairs.push([valMetric, trainMetric]);
  if (valLoss) pairs.push([valLoss, trainLoss]);
  if (pairs.length === 0) return [];
  const usable = pairs.filter(([val]) => val.values.filter((x) => Number.isFinite(x)).length >= MIN_POINTS);
  if (usable.length === 0) {
    const [val] = pairs[0] as [Curve, Curve | null];
    return [tooLittleData(c8NoisyValidation, val.tag, val.values.filter((x) => Number.isFinite(x)).length, MIN_POINTS)];
  }
  for (const [val, train] of usable) {
    const finding = judgeCurve(val, train);
    if (finding) return [finding];
  }
  return [];
}

/**
 * C8 Noisy validation, from the val metric (else val loss) and its train counterpart. Warning when the
 * val jitter (robust, detrended) is >= 0.2 of the trend's movement over the last two thirds, >= 3x the train curve's ratio, and
 * >= 2 points (0..1 metrics) or 10% of the level.
 * @example
 * c8NoisyValidation.run({ run, curves: resolveCurves(run) })[0]?.evidence.jitterToTrend // 0.32
 */
export const c8NoisyValidation: Check = {
  id: 'C8',
  title: 'Noisy validation',
  severity: 'warning',
  kind: 'log',
  description: 'Validation metric or loss jitters far more than its trend moves and than the train curve does: the val set is too small.',
  run: judge,
};
