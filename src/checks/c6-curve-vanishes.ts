/**
 * C6 Curve vanishes: a loss or metric turns non-finite (NaN/Inf), or stops being logged while the
 * rest of the run goes on. Reports the first bad step and which tag.
 */
import { firstNonFinite } from '../analysis/finite.js';
import { median } from '../analysis/robust.js';
import type { Finding } from '../findings/finding.js';
import type { Curve } from '../telemetry/curves.js';
import type { Check } from './check.js';
import { makeFinding } from './check.js';

/** A curve has stopped when others go on for more than this many of its own logging intervals ... */
export const C6_STOP_INTERVALS = 5;
/** ... and for more than this fraction of the longest curve's step range. */
export const C6_STOP_FRACTION = 0.1;
/** Points the continuing curve must log after the stop. */
export const C6_STOP_MIN_POINTS_AFTER = 2;
/** The loss before the NaN counts as blowing up when its last finite value exceeds the best by this factor. */
export const C6_BLOWUP_FACTOR = 3;

interface Watched {
  readonly curve: Curve;
  readonly role: 'train-loss' | 'val-loss' | 'metric' | 'grad_norm';
}

const show = (v: number): string => (Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity');
const fmt = (v: number): string => (Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 0.01) ? v.toPrecision(3) : v.toFixed(3));

/**
 * C6: NaN/Inf or a curve that stops while the run continues.
 * @example
 * c6CurveVanishes.run(ctx)[0]?.message // 'train/loss is NaN from step 120 to the end (...)'
 */
export const c6CurveVanishes: Check = {
  id: 'C6',
  title: 'Curve vanishes',
  severity: 'error',
  kind: 'log',
  description: 'A loss or metric turns NaN/Inf, or stops being logged while other series of the run continue; reports the first step.',
  run(ctx): Finding[] {
    const c = ctx.curves;
    const watched: Watched[] = [];
    if (c.trainLoss) watched.push({ curve: c.trainLoss, role: 'train-loss' });
    if (c.valLoss) watched.push({ curve: c.valLoss, role: 'val-loss' });
    if (c.trainMetric) watched.push({ curve: c.trainMetric, role: 'metric' });
    if (c.valMetric) watched.push({ curve: c.valMetric, role: 'metric' });
    if (c.gradNorm) watched.push({ curve: c.gradNorm, role: 'grad_norm' });
    const all = [c.trainLoss, c.valLoss, c.trainMetric, c.valMetric, c.lr, c.gradNorm, c.epoch].filter((x): x is Curve => x !== null);
    const lossBroken = [c.trainLoss, c.valLoss].some((x) => x !== null && firstNonFinite(x.values) >= 0);
    const out: Finding[] = [];
    for (const w of watched) {
      const nan = nonFinite(w, lossBroken);
      if (nan) out.push(nan);
      else if (w.role !== 'grad_norm') {
        const stop = stopped(w, all);
        if (stop) out.push(stop);
      }
    }
    return out;
  },
};

function nonFinite(w: Watched, lossBroken: boolean): Finding | null {
  const { curve } = w;
  const i = firstNonFinite(curve.values);
  if (i < 0) return null;
  const step = curve.steps[i] as number;
  const last = curve.steps[curve.steps.length - 1] as number;
  const after = curve.values.slice(i);
  const badCount = after.filter((v) => !Number.isFinite(v)).length;
  const recovered = Number.isFinite(curve.values[curve.values.length - 1] as number);
  let lastBad = curve.values.length - 1;
  while (lastBad > i && Number.isFinite(curve.values[lastBad] as number)) lastBad--;
  const before = curve.values.slice(0, i);
  const lastFinite = before.length > 0 ? (before[before.length - 1] as number) : NaN;
  // Blow-up factor over the best value before the NaN (positive curves only: a ratio needs a zero-based scale).
  const best = before.length > 0 ? before.reduce((m, v) => Math.min(m, v), Infinity) : NaN;
  const factor = best > 0 && w.role !== 'metric' ? lastFinite / best : NaN;
  const blowUp = before.length >= 2 && factor >= C6_BLOWUP_FACTOR;
  // An occasional inf gradient norm is how fp16 loss scaling skips a step: worth knowing, not an error, if the loss stays finite.
  if (w.role === 'grad_norm' && lossBroken) return null;
  const severity = w.role === 'grad_norm' ? 'info' : recovered || w.role === 'metric' ? 'warning' : 'error';
  const span = recovered ? `at ${badCount} point${badCount === 1 ? '' : 's'} from step ${step} (the curve is finite again at the end)` : `from step ${step} to the end (step ${last})`;
  const lead = before.length === 0 ? ' (from its first point)' : `; the last finite value was ${fmt(lastFinite)}${blowUp ? `, ${fmt(factor)}x its best (${fmt(best)}): it blew up first` : ''}`;
  const actions =
    w.role === 'grad_norm'
      ? ['with fp16/bf16 mixed precision an occasional inf gradient norm is a skipped step; if it happens often, lower the learning rate or use bf16']
      : [
          blowUp ? 'lower the learning rate 3-10x and add gradient clipping (clip the global norm, e.g. at 1.0)' : 'look for log(0), division by zero, sqrt of negatives or exp overflow in the loss; use the framework\'s fused, numerically stable loss (e.g. cross-entropy on logits)',
          'check the inputs and targets of the batches around that step for NaN/Inf (D1)',
          'rerun with anomaly detection (torch.autograd.set_detect_anomaly / tf.debugging.enable_check_numerics) to find the first layer that produces it (T1)',
        ];
  return makeFinding(c6CurveVanishes, {
    severity,
    message: `${curve.tag} is ${show(curve.values[i] as number)} ${span}${lead}.`,
    tags: [curve.tag],
    steps: [step, recovered ? (curve.steps[lastBad] as number) : last],
    evidence: {
      firstNonFiniteStep: step,
      value: show(curve.values[i] as number),
      nonFinitePoints: badCount,
      recovered,
      lastFiniteValue: Number.isFinite(lastFinite) ? lastFinite : null,
      blowUpFactor: Number.isFinite(factor) ? factor : null,
      blowUpThreshold: C6_BLOWUP_FACTOR,
    },
    actions,
  });
}

function stopped(w: Watched, all: readonly Curve[]): Finding | null {
  const { curve } = w;
  const n = curve.steps.length;
  // One point has no logging interval: it may be an end-of-run summary or a first evaluation (watch).
  if (n < 2) return null;
  const last = curve.steps[n - 1] as number;
  const intervals = curve.steps.slice(1).map((s, i) => s - (curve.steps[i] as number));
  const interval = intervals.length > 0 ? median(intervals) : 0;
  let other: Curve | null = null;
  let otherLast = last;
  let span = 0;
  for (const o of all) {
    if (o === curve || o.unit !== curve.unit || o.steps.length === 0) continue;
    const oLast = o.steps[o.steps.length - 1] as number;
    span = Math.max(span, oLast - (o.steps[0] as number));
    const pointsAfter = o.steps.filter((s) => s > last).length;
    if (oLast > otherLast && pointsAfter >= C6_STOP_MIN_POINTS_AFTER) {
      other = o;
      otherLast = oLast;
    }
  }
  const gap = otherLast - last;
  const needed = Math.max(C6_STOP_INTERVALS * interval, C6_STOP_FRACTION * span);
  if (!other || gap <= needed) return null;
  const severity = w.role === 'train-loss' ? 'error' : 'warning';
  return makeFinding(c6CurveVanishes, {
    severity,
    message: `${curve.tag} stops at step ${last} while ${other.tag} goes on to step ${otherLast} (${gap} steps, threshold ${Math.round(needed)}).`,
    tags: [curve.tag, other.tag],
    steps: [last, otherLast],
    evidence: { lastStep: last, continuesTo: otherLast, continuedBy: other.tag, gapSteps: gap, threshold: needed, loggingInterval: interval },
    actions: [
      'check the training log (stderr) around that step: a crash, an exception in a callback, or the logger being closed',
      'check the logging code: a condition or `if step % k` that stops firing, or a metric that became undefined',
    ],
  });
}
