/**
 * C10 Underfitting: the training loss stays high (it kept most of its starting value) and has levelled
 * off, while the validation loss sits right beside it: the model cannot even fit the
 * training data, so there is no generalisation gap to worry about yet, only missing capacity.
 */
import { tooYoung } from '../analysis/curve-span.js';
import { decimate } from '../analysis/decimate.js';
import { firstNonFinite } from '../analysis/finite.js';
import { edgePoints, flatness } from '../analysis/flatness.js';
import { chanceForStart, chanceLevels } from '../analysis/reference-levels.js';
import { median } from '../analysis/robust.js';
import { autoWindow, medianSmooth } from '../analysis/smooth.js';
import { tailProgress } from '../analysis/tail-trend.js';
import type { Finding } from '../findings/finding.js';
import type { Check } from './check.js';
import { makeFinding } from './check.js';

/** "High": the final train loss is still at least this fraction of its starting level. */
export const C10_HIGH_RATIO = 0.6;
/** "Close": validation within this fraction of the train loss, either side (far below is another story: M8, D5). */
export const C10_CLOSE_GAP = 0.1;
/**
 * Also "high": the final train loss is at least this fraction of the chance level ln(C) its start allows
 * (10 classes: >= 1.15, where a fitted MNIST-like model ends below 0.6), however far it fell from a bad
 * initial loss. A cross-entropy still at half of chance has fitted little of the training data.
 */
export const C10_CHANCE_SHARE = 0.5;
/** "Close" for the chance rule: validation within this fraction of the train loss, either side. */
export const C10_CHANCE_GAP = 0.25;
/** The chance rule is for multi-class losses: half of ln 2 (0.35) is a loss a fitted but noisy binary task can end at. */
export const C10_CHANCE_MIN_CLASSES = 3;
/** Chance rule on an epoch-level curve (< 30 points) with a guessed class count: its first point must be within this of ln(C). */
export const C10_EPOCH_START_TOLERANCE = 0.06;
/** A train or val loss whose last quarter still makes this share of its total drop is C4 (train longer), not C10. */
export const C10_MAX_TAIL_SHARE = 0.2;
export const C10_MIN_POINTS = 3;

const fmt = (v: number): string => (Math.abs(v) >= 100 || (v !== 0 && Math.abs(v) < 0.01) ? v.toPrecision(3) : v.toFixed(3));

/**
 * C10: train loss high, levelled off, and close to validation. High = the end is >= 60% of the start
 * (validation within 10%, neither curve's last quarter still making >= 20% of its drop), or >= 50% of
 * the chance level ln(C) (C >= 3; from the metadata, else the highest ln(C) at or below the start; validation within
 * 25%, the train curve's last quarter under 20% of its drop; without a class count in the metadata an
 * epoch-level curve must start within 6% of that ln(C)). A flat loss is C1's. A step-level train curve
 * spanning fewer than 100 steps is too young to judge.
 * @example
 * c10Underfitting.run(ctx)[0]?.evidence // { trainRatio: 0.8, threshold: 0.6, gap: 0.02, gapThreshold: 0.1, ... }
 */
export const c10Underfitting: Check = {
  id: 'C10',
  title: 'Underfitting',
  severity: 'warning',
  kind: 'log',
  description: 'Train loss levels off at a high fraction of its starting value while validation loss stays close to it (positive losses, both curves needed).',
  run(ctx): Finding[] {
    const train = ctx.curves.trainLoss;
    const val = ctx.curves.valLoss;
    if (!train || !val || firstNonFinite(train.values) >= 0 || firstNonFinite(val.values) >= 0) return [];
    if (train.values.length < C10_MIN_POINTS || val.values.length < 2 || tooYoung(train)) return [];
    // A ratio to the start needs a zero-based scale: negative or zero losses cannot be "high".
    if (!train.values.every((v) => v > 0) || !val.values.every((v) => v > 0)) return [];
    const t = decimate(train.steps, train.values);
    const n = t.values.length;
    // A loss that does not move at all is C1's finding.
    if (flatness(t.values)?.flat) return [];
    // Epoch-level curves (under 30 points) are averages: their first point is the start; per-step ones are smoothed.
    const start = n < 30 ? (t.values[0] as number) : (medianSmooth(t.values, Math.max(3, autoWindow(n)))[0] as number);
    const end = median(t.values.slice(n - edgePoints(n)));
    const ratio = end / start;
    const valEnd = median(val.values.slice(-Math.min(3, val.values.length)));
    const gap = (valEnd - end) / end;
    // Still falling fast (train, or validation) means "train longer" (C4), not "too little capacity".
    const tailShare = tailProgress(t.steps, t.values)?.share ?? 0;
    const valTailShare = tailProgress(val.steps, val.values)?.share ?? 0;
    const byRatio = ratio >= C10_HIGH_RATIO && Math.abs(gap) <= C10_CLOSE_GAP && tailShare < C10_MAX_TAIL_SHARE && valTailShare < C10_MAX_TAIL_SHARE;
    // A cross-entropy still far above zero against the chance level: only the train curve's own tail
    // decides "train longer" (a short validation curve's last quarter is noise).
    // Without a class count in the metadata, ln(C) is guessed from the start, which an epoch-level
    // curve's first point (a mean over an epoch of learning) understates: there it must sit at ln(C).
    const refs = chanceLevels(ctx.run.meta).filter((r) => r.classes >= C10_CHANCE_MIN_CLASSES);
    const guessed = refs.find((r) => r.source === 'meta') ?? chanceForStart(start, refs, 0);
    const chance = guessed && (guessed.source === 'meta' || n >= 30 || start <= guessed.value * (1 + C10_EPOCH_START_TOLERANCE)) ? guessed : null;
    const chanceShare = chance ? end / chance.value : NaN;
    const byChance = !byRatio && chance !== null && chanceShare >= C10_CHANCE_SHARE && Math.abs(gap) <= C10_CHANCE_GAP && tailShare < C10_MAX_TAIL_SHARE;
    if (!byRatio && !byChance) return [];
    const from = train.steps[0] as number;
    const to = train.steps[train.steps.length - 1] as number;
    const closeGap = byChance ? C10_CHANCE_GAP : C10_CLOSE_GAP;
    const relation = `validation ends right beside it at ${fmt(valEnd)} (${gap >= 0 ? '+' : ''}${(gap * 100).toFixed(1)}%, close within ${(closeGap * 100).toFixed(0)}%)`;
    const high = byChance && chance
      ? `still ${(chanceShare * 100).toFixed(0)}% of the chance level ${chance.name} = ${fmt(chance.value)} (threshold ${(C10_CHANCE_SHARE * 100).toFixed(0)}%; ${(ratio * 100).toFixed(0)}% of its starting ${fmt(start)})`
      : `still ${(ratio * 100).toFixed(0)}% of its starting ${fmt(start)} (threshold ${(C10_HIGH_RATIO * 100).toFixed(0)}%)`;
    return [
      makeFinding(c10Underfitting, {
        severity: 'warning',
        message:
          `${train.tag} levels off at ${fmt(end)}, ${high}, ` +
          `and ${relation}: the model underfits.`,
        tags: [train.tag, val.tag],
        steps: [from, to],
        evidence: {
          trainRatio: ratio,
          threshold: C10_HIGH_RATIO,
          gap,
          gapThreshold: closeGap,
          rule: byChance ? 'chance-level' : 'start-ratio',
          chanceLevel: chance ? chance.value : null,
          chanceShare: Number.isFinite(chanceShare) ? chanceShare : null,
          chanceShareThreshold: C10_CHANCE_SHARE,
          trainStart: start,
          trainEnd: end,
          valEnd,
          tailShare,
          valTailShare,
          maxTailShare: C10_MAX_TAIL_SHARE,
        },
        actions: [
          'increase capacity: wider or deeper layers, or a stronger architecture for the data (P3 compares model sizes)',
          'reduce regularisation: lower dropout and weight decay, weaker augmentation',
          'train longer or with a better-tuned learning rate (P2 range test); check the features carry the signal (D2, D8)',
        ],
      }),
    ];
  },
};
