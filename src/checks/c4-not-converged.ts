/**
 * C4 Not converged: the loss is still clearly falling at the last step, so training longer would
 * likely help. "Clearly" means the last quarter of the run still delivered a real share of the total
 * improvement, with a trend well above the noise; a validation loss that has turned up vetoes it
 * (train longer would only overfit: C3).
 */
import { decimate } from '../analysis/decimate.js';
import { flatness } from '../analysis/flatness.js';
import { firstNonFinite } from '../analysis/finite.js';
import { lrFor, lrRange } from '../analysis/lr-events.js';
import type { TailProgress } from '../analysis/tail-trend.js';
import { tailProgress } from '../analysis/tail-trend.js';
import type { Finding } from '../findings/finding.js';
import type { Curve } from '../telemetry/curves.js';
import type { Check } from './check.js';
import { makeFinding } from './check.js';

/** The tail is this last fraction of the step range. */
export const C4_TAIL_FRACTION = 0.25;
/** Share of the total improvement still made in the tail: info at or above this ... */
export const C4_INFO_SHARE = 0.1;
/** ... warning at or above this (the tail falls about as fast as the run's average), unless the lr is annealed there. */
export const C4_WARNING_SHARE = 0.2;
/** The tail slope must be this many standard errors below zero. */
export const C4_MIN_T = 3;
/** A learning rate falling by this factor within the tail is annealing: the fall may be the schedule's. */
export const C4_ANNEAL_FACTOR = 5;
/** A validation loss that came back up by this share of its drop vetoes "train longer". */
export const C4_VAL_RISE_VETO = 0.1;
export const C4_MIN_POINTS = 5;

const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;
const fmt = (v: number): string => (Math.abs(v) >= 100 || (v !== 0 && Math.abs(v) < 0.01) ? v.toPrecision(3) : v.toFixed(3));

/**
 * C4: still improving at the last step; train longer.
 * @example
 * c4NotConverged.run(ctx)[0]?.evidence // { tailShare: 0.3, threshold: 0.1, warningThreshold: 0.2, fromStep: 300, toStep: 399, ... }
 */
export const c4NotConverged: Check = {
  id: 'C4',
  title: 'Not converged',
  severity: 'warning',
  kind: 'log',
  description: 'Train (or validation) loss still clearly falling over the last quarter of the run while validation has not turned up: train longer.',
  run(ctx): Finding[] {
    const loss = ctx.curves.trainLoss;
    if (!loss || firstNonFinite(loss.values) >= 0 || loss.values.length < C4_MIN_POINTS) return [];
    const d = decimate(loss.steps, loss.values);
    if (flatness(d.values)?.flat) return [];
    const train = tailProgress(d.steps, d.values, C4_TAIL_FRACTION);
    if (!train) return [];
    const valCurve = ctx.curves.valLoss && firstNonFinite(ctx.curves.valLoss.values) < 0 ? ctx.curves.valLoss : null;
    const dv = valCurve ? decimate(valCurve.steps, valCurve.values) : null;
    const val = dv ? tailProgress(dv.steps, dv.values, C4_TAIL_FRACTION) : null;
    if (val && val.riseShare >= C4_VAL_RISE_VETO) return [];
    const trainFalling = train.tail.t <= -C4_MIN_T && train.share >= C4_INFO_SHARE;
    const valFalling = val !== null && val.tail.t <= -C4_MIN_T && val.share >= C4_INFO_SHARE && train.tail.change < 0;
    if (!trainFalling && !valFalling) return [];
    const lr = lrFor(loss, ctx.curves.lr);
    const lrTail = lr ? lrRange(lr, train.tail.fromStep, train.tail.toStep) : null;
    const annealing = lrTail !== null && lrTail.max >= C4_ANNEAL_FACTOR * lrTail.min;
    const share = Math.max(trainFalling ? train.share : 0, valFalling && val ? val.share : 0);
    const warning = share >= C4_WARNING_SHARE && !annealing;
    const lead = trainFalling ? loss : (valCurve as Curve);
    const leadProgress = trainFalling ? train : (val as TailProgress);
    const { tail } = leadProgress;
    const message =
      `${lead.tag} is still falling at the end: ${fmt(-tail.change)} over steps ${tail.fromStep}-${tail.toStep} (the last ${pct(C4_TAIL_FRACTION)}), ` +
      `${pct(leadProgress.share)} of its total drop of ${fmt(leadProgress.totalDrop)} (threshold ${pct(C4_INFO_SHARE)}, t = ${tail.t.toFixed(1)})` +
      (annealing ? '; the learning rate is being annealed over the same steps, which explains part of the fall.' : '.');
    return [
      makeFinding(c4NotConverged, {
        severity: warning ? 'warning' : 'info',
        message,
        tags: valFalling && valCurve ? [loss.tag, valCurve.tag] : [loss.tag],
        steps: [tail.fromStep, tail.toStep],
        evidence: {
          tailShare: leadProgress.share,
          threshold: C4_INFO_SHARE,
          warningThreshold: C4_WARNING_SHARE,
          fromStep: tail.fromStep,
          toStep: tail.toStep,
          tailChange: tail.change,
          totalDrop: leadProgress.totalDrop,
          tStatistic: tail.t,
          trainTailShare: train.share,
          valTailShare: val ? val.share : null,
          lrAnnealedInTail: annealing,
        },
        actions: [
          'train longer (more epochs or steps) and keep the best checkpoint by validation loss (P8)',
          lr ? `if the schedule ends at a fixed step, stretch it (${lr.tag}) rather than appending constant-rate steps` : 'if the learning rate is decayed on a fixed schedule, stretch the schedule with the run',
          'if time is the limit, try a somewhat higher learning rate (P2 range test) to converge sooner',
        ],
      }),
    ];
  },
};
