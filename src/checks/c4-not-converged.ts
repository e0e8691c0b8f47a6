/**
 * C4 Not converged: the loss is still clearly falling at the last step, so training longer would
 * likely help. "Clearly" means the last fifth of the run still lowered the loss by a real share of its
 * level, with a slope beyond the curve's noise and the curve at its lowest at the end. With a
 * validation curve, val must agree: either val itself is still clearly falling (while train is not
 * rising), or train is clearly falling and val is at its lowest at the end and not rising beyond its
 * noise. Val that bottomed out earlier vetoes it (train falling alone is a widening gap, and val turned
 * up is C3: training longer would only overfit).
 */
import { decimate } from '../analysis/decimate.js';
import { flatness } from '../analysis/flatness.js';
import { firstNonFinite } from '../analysis/finite.js';
import { lrFor, lrRange } from '../analysis/lr-events.js';
import type { EndFall } from '../analysis/tail-trend.js';
import { endFall } from '../analysis/tail-trend.js';
import type { Finding } from '../findings/finding.js';
import type { Curve } from '../telemetry/curves.js';
import type { Check } from './check.js';
import { makeFinding } from './check.js';

/**
 * The tail is this last fraction of the step range: "the end of the run" as the catalogue's labelling
 * rule reads it (the last 10-20%); a tail with fewer than 3 points is padded back to 3.
 */
export const C4_TAIL_FRACTION = 0.2;
/**
 * The loss must have fallen by this share of its level over the last fifth of the run (at the tail's
 * fitted slope). A documented trade-off, the catalogue's labelling rule ("typically by 3% or more"):
 * at 3% per fifth of the run, training as long again would still bring a gain worth the compute; a
 * slower drift at the end of a long run is where careful engineers disagree.
 */
export const C4_MIN_DROP = 0.03;
/**
 * A learning rate falling by this factor within the tail is annealing: the fall may be the schedule's
 * (info, not warning). 5x is past a single ReduceLROnPlateau halving or noise in a logged lr; cosine and
 * linear decays to ~0 pass it within their last fifth.
 */
export const C4_ANNEAL_FACTOR = 5;
/** A curve needs this many points: a tail of 3 (the fewest a slope has a standard error with) and 2 before it, so "lowest at the end" can fail. */
export const C4_MIN_POINTS = 5;

const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;
const fmt = (v: number): string => (Math.abs(v) >= 100 || (v !== 0 && Math.abs(v) < 0.01) ? v.toPrecision(3) : v.toFixed(3));
const round = (x: number): number => Number(x.toPrecision(4));

/** The finite points of a curve that is usable for an end-of-run trend (no NaN anywhere: that is C6). */
function usable(c: Curve | null): Curve | null {
  return c && firstNonFinite(c.values) < 0 && c.values.length >= C4_MIN_POINTS ? c : null;
}

function fallOf(c: Curve, fraction = C4_TAIL_FRACTION): EndFall | null {
  const d = decimate(c.steps, c.values);
  return endFall(d.steps, d.values, fraction);
}

/** Still clearly falling: beyond the noise, by at least {@link C4_MIN_DROP} of the level over the last fifth, lowest inside the tail. */
const clearlyFalling = (f: EndFall | null): f is EndFall => f !== null && f.significant && f.dropOverFraction >= C4_MIN_DROP && f.minInTail;
/**
 * A noisy val that agrees with a falling train loss: lowest inside the tail, not rising beyond its noise
 * there, and heading down over twice the tail (one wild evaluation among a short tail's 3-5 points can
 * tilt its fit; over twice as many points the direction is the curve's).
 */
const stillImproving = (f: EndFall, wide: EndFall | null): boolean => f.minInTail && !f.risingSignificantly && wide !== null && wide.tail.change < 0;

/**
 * C4: still improving at the last step; train longer.
 * @example
 * c4NotConverged.run(ctx)[0]?.evidence // { curve: 'val_loss', dropOverFraction: 0.08, threshold: 0.03, fromStep: 320, toStep: 399, ... }
 */
export const c4NotConverged: Check = {
  id: 'C4',
  title: 'Not converged',
  severity: 'warning',
  kind: 'log',
  description:
    'Loss still clearly falling over the last fifth of the run (>= 3% of its level, beyond its noise, lowest at the end), validation included (val falling itself, or at its lowest at the end while train falls): train longer.',
  run(ctx): Finding[] {
    const loss = usable(ctx.curves.trainLoss);
    if (!loss) return [];
    const d = decimate(loss.steps, loss.values);
    if (flatness(d.values)?.flat) return [];
    const train = fallOf(loss);
    if (!train) return [];
    const valCurve = usable(ctx.curves.valLoss);
    const val = valCurve ? fallOf(valCurve) : null;
    // With a validation curve: val itself still clearly falling (train not rising: a sparse or noisy
    // train curve may show nothing), or train clearly falling with val at its best at the end.
    let lead: Curve;
    let leadFall: EndFall;
    if (val && valCurve) {
      if (clearlyFalling(val) && !train.risingSignificantly) [lead, leadFall] = [valCurve, val];
      else if (clearlyFalling(train) && stillImproving(val, fallOf(valCurve, 2 * C4_TAIL_FRACTION))) [lead, leadFall] = [loss, train];
      else return [];
    } else if (clearlyFalling(train)) [lead, leadFall] = [loss, train];
    else return [];
    const lr = lrFor(loss, ctx.curves.lr);
    const lrTail = lr ? lrRange(lr, leadFall.tail.fromStep, leadFall.tail.toStep) : null;
    const annealing = lrTail !== null && lrTail.max >= C4_ANNEAL_FACTOR * lrTail.min;
    const { tail } = leadFall;
    const other = lead === loss ? (val && valCurve ? { tag: valCurve.tag, fall: val } : null) : { tag: loss.tag, fall: train };
    const message =
      `${lead.tag} is still falling at the end: ${fmt(-tail.change)} over steps ${tail.fromStep}-${tail.toStep}, ` +
      `${pct(leadFall.dropOverFraction)} of its ${leadFall.scaleKind === 'level' ? 'level' : 'range'} per ${pct(C4_TAIL_FRACTION)} of the run ` +
      `(threshold ${pct(C4_MIN_DROP)}; t = ${tail.t.toFixed(1)}, needed ${tail.t <= -leadFall.tCritical ? `-${leadFall.tCritical.toFixed(2)}` : 'a strictly falling run of 4 points'}), lowest at the end` +
      (other ? ` (${other.tag} ${other.fall.dropOverFraction >= 0 ? 'fell' : 'rose'} ${pct(Math.abs(other.fall.dropOverFraction))} over the same share${other.fall.minInTail ? ', also lowest at the end' : ''})` : '') +
      (annealing ? '; the learning rate is being annealed over the same steps, which explains part of the fall.' : '.');
    return [
      makeFinding(c4NotConverged, {
        severity: annealing ? 'info' : 'warning',
        message,
        tags: valCurve ? [loss.tag, valCurve.tag] : [loss.tag],
        steps: [tail.fromStep, tail.toStep],
        evidence: {
          curve: lead.tag,
          dropOverFraction: round(leadFall.dropOverFraction),
          threshold: C4_MIN_DROP,
          scale: round(leadFall.scale),
          scaleKind: leadFall.scaleKind,
          fromStep: tail.fromStep,
          toStep: tail.toStep,
          tailPoints: tail.n,
          tailChange: round(tail.change),
          tStatistic: round(tail.t),
          tCritical: round(leadFall.tCritical),
          minStep: leadFall.minStep,
          trainDropOverFraction: round(train.dropOverFraction),
          valDropOverFraction: val ? round(val.dropOverFraction) : null,
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
