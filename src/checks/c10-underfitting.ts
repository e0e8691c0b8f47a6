/**
 * C10 Underfitting: the training loss stays high (it kept most of its starting value) and has levelled
 * off, while the validation loss sits right beside it: the model cannot even fit the
 * training data, so there is no generalisation gap to worry about yet, only missing capacity.
 */
import { decimate } from '../analysis/decimate.js';
import { firstNonFinite } from '../analysis/finite.js';
import { edgePoints, flatness } from '../analysis/flatness.js';
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
/** A train or val loss whose last quarter still makes this share of its total drop is C4 (train longer), not C10. */
export const C10_MAX_TAIL_SHARE = 0.2;
export const C10_MIN_POINTS = 3;

const fmt = (v: number): string => (Math.abs(v) >= 100 || (v !== 0 && Math.abs(v) < 0.01) ? v.toPrecision(3) : v.toFixed(3));

/**
 * C10: train loss high, levelled off, and close to validation.
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
    if (train.values.length < C10_MIN_POINTS || val.values.length < 2) return [];
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
    if (ratio < C10_HIGH_RATIO || Math.abs(gap) > C10_CLOSE_GAP) return [];
    // Still falling fast (train, or validation) means "train longer" (C4), not "too little capacity".
    const tailShare = tailProgress(t.steps, t.values)?.share ?? 0;
    const valTailShare = tailProgress(val.steps, val.values)?.share ?? 0;
    if (tailShare >= C10_MAX_TAIL_SHARE || valTailShare >= C10_MAX_TAIL_SHARE) return [];
    const from = train.steps[0] as number;
    const to = train.steps[train.steps.length - 1] as number;
    const relation = `validation ends right beside it at ${fmt(valEnd)} (${gap >= 0 ? '+' : ''}${(gap * 100).toFixed(1)}%, close within ${(C10_CLOSE_GAP * 100).toFixed(0)}%)`;
    return [
      makeFinding(c10Underfitting, {
        severity: 'warning',
        message:
          `${train.tag} levels off at ${fmt(end)}, still ${(ratio * 100).toFixed(0)}% of its starting ${fmt(start)} (threshold ${(C10_HIGH_RATIO * 100).toFixed(0)}%), ` +
          `and ${relation}: the model underfits.`,
        tags: [train.tag, val.tag],
        steps: [from, to],
        evidence: {
          trainRatio: ratio,
          threshold: C10_HIGH_RATIO,
          gap,
          gapThreshold: C10_CLOSE_GAP,
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
