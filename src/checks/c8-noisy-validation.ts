/**
 * C8 Noisy validation: the validation curve jitters from one evaluation to the next far more than its
 * trend moves and than the train curve does at the same evaluations: the val set is too small to
 * rank checkpoints (or the weights at evaluation time are unstable). Two patterns: the val loss jumps
 * up by 2x or more and down by 2x or more between consecutive evaluations while the train loss over the
 * same intervals does not; or the val metric (else loss) jitters around its trend far more than the
 * train curve does.
 */
import { diffNoise, residual } from '../analysis/noise.js';
import { binnedMeans, rescaleSteps } from '../analysis/resample.js';
import { median } from '../analysis/robust.js';
import { medianSmooth } from '../analysis/smooth.js';
import { valJumps } from '../analysis/val-jumps.js';
import type { Finding } from '../findings/finding.js';
import type { Curve } from '../telemetry/curves.js';
import type { Check, CheckContext } from './check.js';
import { makeFinding, tooLittleData } from './check.js';

/** Evaluations needed to separate jitter from trend: a 5-point moving median has a full window at 4 of 8 points, the fewest that leave a robust spread of the detrended differences. */
const MIN_POINTS = 8;
/**
 * A val loss that doubles or halves between two evaluations (beyond what the train loss did over the
 * same interval) has moved by more than any model change in one interval can explain: the lower end of
 * the "jumps 2-10x" the catalogue's labelling rule names.
 */
const JUMP_FACTOR = 2;
/**
 * Evaluations the jump pattern needs: the first interval is skipped (an epoch-0 evaluation can be wild
 * with batch norm), then one jump up and one down need two more intervals.
 */
const MIN_JUMP_POINTS = 4;
/** Trend = moving median over this many evaluations (the shortest window whose median ignores 2 wild points); jitter = robust std of the detrended first differences / sqrt(2). */
const TREND_WINDOW = 5;
/**
 * Jitter must be at least this share of how far the trend moves over the last two thirds of the run...
 * Two evaluations are told apart only when they differ by ~2 jitter units (1.4 x the jitter of each, at
 * ~1.4 standard errors); at 1/5 that is 40% of all the movement left, so checkpoints in the useful part
 * of the run cannot be ranked.
 */
const JITTER_TO_TREND = 0.2;
/**
 * ...at least this many times the same ratio of the train curve (averaged over the same evaluation
 * intervals): a model change would move train too; val alone at 3x is the estimate, not the model.
 */
const VS_TRAIN = 3;
/**
 * ...and large in absolute terms: 2 points for a 0..1 metric (binomial noise of a ~400-example val set
 * at 80% accuracy), the same 2 points for such a metric logged in percent (0..100: W&B and Keras users
 * often log `100 * correct / total`), else 10% of the curve level (the relative standard error of a
 * mean over ~100 examples whose per-example losses vary about as much as their mean, as cross-entropy
 * losses do).
 */
const MIN_JITTER_UNIT = 0.02;
/** A proportion logged in percent: its values times this are the 0..1 proportion. */
const PERCENT = 100;
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

/**
 * The scale of a proportion-like metric: 1 for values in 0..1, {@link PERCENT} for an upward metric
 * (accuracy, IoU) whose values lie in 0..100 and pass 1; `null` for anything else (losses, error-like
 * metrics such as perplexity).
 */
function proportionScale(values: readonly number[], isMetric: boolean, higherIsBetter: boolean): number | null {
  if (!isMetric) return null;
  if (values.every((x) => x >= 0 && x <= 1)) return 1;
  return higherIsBetter && values.every((x) => x >= 0 && x <= PERCENT) ? PERCENT : null;
}

function judgeCurve(val: Curve, train: Curve | null, isMetric: boolean, higherIsBetter: boolean): Finding | null {
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
  // A 0..1 metric (accuracy, IoU), or one in percent, has binomial noise; a loss that happens to lie in 0..1 does not.
  const scale = proportionScale(values, isMetric, higherIsBetter);
  const level = Math.abs(median(values));
  const floor = scale !== null ? MIN_JITTER_UNIT * scale : MIN_JITTER_RELATIVE * level;
  const t = train ? measure(binnedMeans(train.steps, train.values, steps)) : null;
  const trainRatio = t && Number.isFinite(t.ratio) ? t.ratio : null;
  if (v.ratio < JITTER_TO_TREND || v.jitter < floor) return null;
  if (trainRatio !== null && v.ratio < VS_TRAIN * trainRatio) return null;
  const impliedN = scale !== null ? Math.round(((level / scale) * (1 - level / scale)) / (v.jitter / scale) ** 2) : null;
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
      pattern: 'jitter',
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

/** The jump pattern: val loss jumped up and down by >= 2x beyond the train loss (a spike that came back, or repeated jumps). */
function judgeJumps(val: Curve, train: Curve | null): Finding | null {
  const finite = val.steps.filter((_, i) => Number.isFinite(val.values[i] as number));
  if (finite.length < MIN_JUMP_POINTS) return null;
  const first = finite[0] as number;
  const last = finite[finite.length - 1] as number;
  const trainSteps = !train ? [] : train.unit === val.unit ? train.steps : rescaleSteps(train.steps, [first, last]);
  const j = valJumps(val.steps, val.values, trainSteps, train ? train.values : [], JUMP_FACTOR);
  if (!j || j.ups === 0 || j.downs === 0) return null;
  const shown = [...j.jumps].sort((a, b) => b.excess - a.excess).slice(0, 3);
  const list = shown.map((x) => `${round(x.valFactor)}x at step ${x.toStep}${train ? ` (train ${round(x.trainFactor)}x)` : ''}`).join(', ');
  return makeFinding(c8NoisyValidation, {
    severity: 'warning',
    message:
      `${val.tag} jumps by ${JUMP_FACTOR}x or more between consecutive evaluations ${j.jumps.length} time${j.jumps.length === 1 ? '' : 's'} (${j.ups} up, ${j.downs} down) ` +
      `while ${train ? `${train.tag} does not` : 'no train loss is logged to explain it'}: ${list}. The val estimate, not the model, moved: ` +
      'checkpoint ranking and early stopping on it are unreliable.',
    tags: train ? [val.tag, train.tag] : [val.tag],
    steps: [first, last],
    evidence: {
      pattern: 'jumps',
      jumps: j.jumps.length,
      ups: j.ups,
      downs: j.downs,
      largestExcess: round(j.largestExcess),
      jumpFactor: JUMP_FACTOR,
      firstJumpStep: j.jumps[0]?.toStep ?? null,
      evaluations: finite.length,
    },
    actions: [
      'enlarge the validation set (~20% of the data, at least a few thousand examples), and evaluate on the same fixed set every time',
      'make evaluation deterministic: model.eval() / training=False (dropout off, batch-norm running statistics), no augmentation or random subsampling at eval',
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
  if (valLoss) {
    const jumps = judgeJumps(valLoss, trainLoss);
    if (jumps) return [jumps];
  }
  const usable = pairs.filter(([val]) => val.values.filter((x) => Number.isFinite(x)).length >= MIN_POINTS);
  if (usable.length === 0) {
    const [val] = pairs[0] as [Curve, Curve | null];
    return [tooLittleData(c8NoisyValidation, val.tag, val.values.filter((x) => Number.isFinite(x)).length, MIN_POINTS)];
  }
  for (const [val, train] of usable) {
    const finding = judgeCurve(val, train, val === valMetric, val === valMetric ? valMetric.higherIsBetter : false);
    if (finding) return [finding];
  }
  return [];
}

/**
 * C8 Noisy validation. Warning when the val loss jumps by >= 2x up and by >= 2x down between consecutive
 * evaluations (beyond the train loss's own change over the same intervals; the interval after the first
 * evaluation excluded), or when the val metric (else loss) jitters (robust, detrended) by >= 0.2 of its
 * trend's movement over the last two thirds, >= 3x the train curve's ratio, and >= 2 points (0..1
 * metrics) or 10% of the level.
 * @example
 * c8NoisyValidation.run({ run, curves: resolveCurves(run) })[0]?.evidence.pattern // 'jumps' | 'jitter'
 */
export const c8NoisyValidation: Check = {
  id: 'C8',
  title: 'Noisy validation',
  severity: 'warning',
  kind: 'log',
  description:
    'Validation loss jumps 2x up and down between evaluations while train does not, or the validation metric jitters far more than its trend moves and than the train curve does: the val set is too small.',
  run: judge,
};
