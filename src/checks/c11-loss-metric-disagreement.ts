/**
 * C11 Loss/metric disagreement: the loss and the metric that matters tell different stories, clearly and
 * over the run, not as a late wobble. Over-confidence (validation loss turns up while validation accuracy
 * still improves) is reported as C11 even when C3 reports the same stretch as overfitting: the catalogue
 * asks for both ("report C11, not only C3"), since the best checkpoint differs by the measure chosen.
 * A metric near its bound (accuracy 0.97) is judged by the room it has left, not by its level.
 */
import { diffNoise } from '../analysis/noise.js';
import { binnedMeans, blockMeans } from '../analysis/resample.js';
import { median } from '../analysis/robust.js';
import { turnaround } from '../analysis/turnaround.js';
import type { Finding } from '../findings/finding.js';
import type { Curve, MetricCurve } from '../telemetry/curves.js';
import type { Check, CheckContext } from './check.js';
import { makeFinding } from './check.js';

/** Points (on the sparser of the two curves) needed to compare trends. */
const MIN_POINTS = 6;
/** A loss move counts when it exceeds this share of the loss level and this many times its noise. */
const LOSS_MOVE = 0.05;
const LOSS_NOISE_MULTIPLE = 2.5;
/** "Loss improves a lot" for the loss-improves-metric-does-not case. */
const LOSS_BIG_IMPROVEMENT = 0.2;
/**
 * A metric move counts when it exceeds this many times its noise and this share of its scale: the room
 * left to its bound for a higher-is-better metric in [0, 1] (accuracy 0.965 -> 0.971 is 17% of the
 * remaining error, not 0.6% of the level), otherwise its level.
 */
const METRIC_NOISE_MULTIPLE = 2;
const METRIC_MOVE = 0.01;

const round = (x: number): number => Number(x.toPrecision(4));
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

interface Pair {
  readonly steps: number[];
  readonly loss: number[];
  readonly metric: number[];
}

/** Per-step curves longer than this are block-averaged first (trends survive, cost stays bounded). */
const MAX_POINTS = 2000;

/** Both curves on the steps of the sparser one (finite points only, at most MAX_POINTS of them). */
function align(loss: Curve, metric: MetricCurve): Pair {
  const base = metric.values.length <= loss.values.length ? metric : loss;
  const steps = blockMeans(base.steps, base.values, MAX_POINTS).steps;
  const l = binnedMeans(loss.steps, loss.values, steps);
  const m = binnedMeans(metric.steps, metric.values, steps);
  const keep = steps.map((_, i) => Number.isFinite(l[i] as number) && Number.isFinite(m[i] as number));
  return { steps: steps.filter((_, i) => keep[i]), loss: l.filter((_, i) => keep[i]), metric: m.filter((_, i) => keep[i]) };
}

/** Median of `k` points centred on `i` (clipped to the curve). */
function levelAt(values: readonly number[], i: number, k: number): number {
  const h = Math.floor(k / 2);
  return median(values.slice(Math.max(0, i - h), Math.min(values.length, i + h + 1)));
}

/**
 * The scale a metric's move is judged against: the room to its bound 1 for a higher-is-better metric
 * whose values all lie in [0, 1] (accuracy, F1, AUC, IoU), else its level.
 */
function metricScale(values: readonly number[], higherIsBetter: boolean, start: number, level: number): number {
  const bounded = higherIsBetter && values.every((v) => v >= 0 && v <= 1);
  return Math.max(bounded ? 1 - start : level, Number.MIN_VALUE);
}

/** A bounded metric that starts within this of its bound (1% of its [0, 1] range) has no room left to improve: not judged. */
const SATURATED_ROOM = METRIC_MOVE;

function judgePair(loss: Curve, metric: MetricCurve): Finding | null {
  const p = align(loss, metric);
  const n = p.steps.length;
  if (n < MIN_POINTS) return null;
  const dir = metric.higherIsBetter ? 1 : -1;
  const tail = Math.max(3, Math.round(n * 0.1));
  const metricNoise = diffNoise(p.metric.slice(Math.floor(n / 3)));
  const metricLevel = Math.max(Math.abs(median(p.metric)), Number.MIN_VALUE);
  const metricEnd = median(p.metric.slice(n - tail));
  const improved = (from: number): boolean => dir * (metricEnd - from) > Math.max(METRIC_NOISE_MULTIPLE * metricNoise, METRIC_MOVE * metricScale(p.metric, metric.higherIsBetter, from, metricLevel));
  const base = {
    tags: [loss.tag, metric.tag],
    actions: [] as string[],
  };
  // Over-confidence: the loss turned up after its minimum while the metric kept improving.
  const t = turnaround(p.steps, p.loss);
  if (t && t.pointsAfter >= 3) {
    const metricAtMin = levelAt(p.metric, t.minIndex, tail);
    const lossRose = t.rise > Math.max(LOSS_MOVE * Math.abs(t.minValue), LOSS_NOISE_MULTIPLE * t.noise);
    if (lossRose && improved(metricAtMin)) {
      return makeFinding(c11LossMetricDisagreement, {
        ...base,
        severity: 'warning',
        message:
          `${loss.tag} rose ${pct(t.rise / Math.abs(t.minValue))} since step ${t.minStep} (${round(t.minValue)} -> ${round(t.endValue)}) ` +
          `while ${metric.tag} still improved (${round(metricAtMin)} -> ${round(metricEnd)}): the model grows over-confident on the examples it gets wrong.`,
        steps: [t.minStep, p.steps[n - 1] as number],
        evidence: {
          pattern: 'loss-up-metric-up',
          lossMinStep: t.minStep,
          lossMin: round(t.minValue),
          lossEnd: round(t.endValue),
          lossRiseRelative: round(t.rise / Math.abs(t.minValue)),
          lossMoveThreshold: LOSS_MOVE,
          metricFrom: round(metricAtMin),
          metricEnd: round(metricEnd),
          metricNoise: round(metricNoise),
          metricNoiseMultiple: METRIC_NOISE_MULTIPLE,
          higherIsBetter: metric.higherIsBetter,
        },
        actions: [
          `select checkpoints by ${metric.tag}, not by the loss (the best-metric step may differ from the best-loss step ${t.bestStep})`,
          'calibrate or regularise confidence: label smoothing (0.1), temperature scaling, weight decay or dropout',
          'if the loss rise keeps growing, treat it as overfitting (C3): stop earlier',
        ],
      });
    }
  }
  // Whole run: the loss improved a lot while the metric did not move (or got worse).
  const head = Math.min(tail, n);
  const lossStart = median(p.loss.slice(0, head));
  const lossEnd = median(p.loss.slice(n - tail));
  const lossNoise = diffNoise(p.loss.slice(Math.floor(n / 3)));
  const lossGain = (lossStart - lossEnd) / Math.max(Math.abs(lossStart), Number.MIN_VALUE);
  const metricStart = median(p.metric.slice(0, head));
  const metricGain = dir * (metricEnd - metricStart);
  const scale = metricScale(p.metric, metric.higherIsBetter, metricStart, metricLevel);
  const saturated = metric.higherIsBetter && p.metric.every((v) => v >= 0 && v <= 1) && scale <= SATURATED_ROOM;
  if (!saturated && lossGain >= LOSS_BIG_IMPROVEMENT && lossStart - lossEnd > LOSS_NOISE_MULTIPLE * lossNoise && metricGain <= Math.max(METRIC_MOVE * scale, METRIC_NOISE_MULTIPLE * metricNoise)) {
    return makeFinding(c11LossMetricDisagreement, {
      ...base,
      severity: 'warning',
      message:
        `${loss.tag} improved ${pct(lossGain)} (${round(lossStart)} -> ${round(lossEnd)}) but ${metric.tag} did not ` +
        `(${round(metricStart)} -> ${round(metricEnd)}, ${metricGain <= 0 ? 'worse or flat' : `only ${pct(metricGain / scale)} of its ${scale === metricLevel ? 'level' : 'room to 1'}`}): the loss does not measure what the metric does.`,
      steps: [p.steps[0] as number, p.steps[n - 1] as number],
      evidence: {
        pattern: 'loss-down-metric-flat',
        lossStart: round(lossStart),
        lossEnd: round(lossEnd),
        lossImprovement: round(lossGain),
        lossImprovementThreshold: LOSS_BIG_IMPROVEMENT,
        metricStart: round(metricStart),
        metricEnd: round(metricEnd),
        metricImprovementRelative: round(metricGain / scale),
        metricScale: round(scale),
        metricMoveThreshold: METRIC_MOVE,
        metricNoise: round(metricNoise),
        metricNoiseMultiple: METRIC_NOISE_MULTIPLE,
        higherIsBetter: metric.higherIsBetter,
      },
      actions: [
        'check the metric code: argmax over the right axis, labels in the same encoding (one-hot vs index), threshold for binary outputs',
        'check for class imbalance: a loss can improve on the majority class while accuracy/F1 stays at the base rate (use class weights)',
        'make sure the loss optimises what the metric measures (e.g. the right target column, the right class count)',
      ],
    });
  }
  return null;
}

function judge(ctx: CheckContext): Finding[] {
  const { valLoss, valMetric, trainLoss, trainMetric } = ctx.curves;
  const out: Finding[] = [];
  for (const [loss, metric] of [[valLoss, valMetric], [trainLoss, trainMetric]] as const) {
    if (!loss || !metric) continue;
    const f = judgePair(loss, metric);
    if (f) out.push(f);
  }
  return out;
}

/**
 * C11 Loss/metric disagreement, per split (val first, then train). Warning when the loss rose >= 5%
 * (and 2.5x its noise) after its minimum while the metric still improved (over-confidence, also when
 * C3 reports the same stretch), or when the loss improved >= 20%
 * over the run while the metric did not improve by more than max(1% of its scale, 2x its noise); the
 * scale of a higher-is-better metric in [0, 1] is its room to 1, otherwise its level.
 * @example
 * c11LossMetricDisagreement.run({ run, curves: resolveCurves(run) })[0]?.evidence.pattern // 'loss-up-metric-up'
 */
export const c11LossMetricDisagreement: Check = {
  id: 'C11',
  title: 'Loss/metric disagreement',
  severity: 'warning',
  kind: 'log',
  description: 'The loss and the metric disagree: val loss rising while val accuracy improves (over-confidence), or loss improving while the metric does not.',
  run: judge,
};
