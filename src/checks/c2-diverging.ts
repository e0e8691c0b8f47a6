/**
 * C2 Diverging: the training loss rises over time ("gradient ascent"), judged on the smoothed curve
 * from its minimum to the level it ends at. A spike that recovers does not count (median smoothing and
 * a held end level), nor does a rise the learning-rate schedule explains (warm restart, one-cycle ramp);
 * an abrupt lr jump far above any earlier rate is no schedule, and the finding names it.
 */
import { decimate } from '../analysis/decimate.js';
import { finitePrefix } from '../analysis/finite-prefix.js';
import { lrFor, lrRose, lrSpike } from '../analysis/lr-events.js';
import { diffNoise } from '../analysis/noise.js';
import { quantile } from '../analysis/robust.js';
import { autoWindow, medianSmooth } from '../analysis/smooth.js';
import type { Finding } from '../findings/finding.js';
import type { Curve } from '../telemetry/curves.js';
import { toCurve } from '../telemetry/curves.js';
import type { Run } from '../telemetry/run.js';
import { classifyTag, tagWords } from '../telemetry/tags.js';
import type { Check } from './check.js';
import { makeFinding } from './check.js';

/** Rise from the minimum, relative to the scale below: error at or above this ... */
export const C2_ERROR_RISE = 0.5;
/** ... warning at or above this. */
export const C2_WARNING_RISE = 0.2;
/** The scale is the initial drop, but at least this fraction of |minimum| (a loss rising from the start). */
export const C2_LEVEL_FLOOR = 0.5;
/** The rise must exceed this many standard errors of the end level (curves of 8+ points). */
export const C2_NOISE_SIGMAS = 3;
/** Points after the minimum needed to call a rise sustained: at least this many ... */
export const C2_MIN_POINTS_AFTER = 2;
/** ... and this share of the curve; the held end level is a low quantile of that many last points. */
export const C2_MIN_SHARE_AFTER = 0.1;
/**
 * A positive loss held at least this many decades (x10) above its minimum has diverged, however large
 * its initial drop was: a loss that first fell by orders of magnitude (1e11 -> 0.03, physics-informed
 * and regression losses) and then sits 1e4x above its low rises by a negligible share of that drop, yet
 * "a sustained rise to many times its minimum" is what divergence is. One decade is the smallest factor
 * that is "many times" on any scale, and far beyond batch-to-batch noise, which the same
 * {@link C2_NOISE_SIGMAS} test (in log10 units) rules out.
 */
export const C2_ERROR_DECADES = 1;

const fmt = (v: number): string => (Math.abs(v) >= 100 || (v !== 0 && Math.abs(v) < 0.01) ? v.toPrecision(3) : v.toFixed(3));

/**
 * C2: the train loss climbs back up from its minimum and stays up.
 * @example
 * c2Diverging.run(ctx)[0]?.evidence // { relativeRise: 0.7, threshold: 0.5, fromStep: 120, toStep: 399, ... }
 */
export const c2Diverging: Check = {
  id: 'C2',
  title: 'Diverging',
  severity: 'error',
  kind: 'log',
  description: 'Train loss rising over time after its minimum (smoothed, sustained, not explained by the learning-rate schedule).',
  run(ctx): Finding[] {
    const loss = ctx.curves.trainLoss;
    if (!loss) return [];
    const rise = measureRise(loss);
    if (!rise) return [];
    const { fromStep, toStep, minValue, held, relativeRise, initialDrop, noise, byDecades, decades } = rise;
    const lr = lrFor(loss, ctx.curves.lr);
    // A rise the schedule explains (warm restart, one-cycle ramp) is by design; an abrupt jump far above
    // any rate used before is not a schedule: it is the likely cause, and the finding says so.
    const spike = lr ? lrSpike(lr, fromStep, toStep) : null;
    if (lr && spike === null && lrRose(lr, fromStep, toStep)) return [];
    // A rise that the data term of the objective does not share is the weight of a regulariser growing
    // on schedule (KL warm-up / beta annealing of an ELBO: total = NLL + beta * KL), not divergence.
    if (dataTermsHold(ctx.run, loss.tag, fromStep)) return [];
    const error = byDecades || relativeRise >= C2_ERROR_RISE;
    const threshold = error ? C2_ERROR_RISE : C2_WARNING_RISE;
    const base = byDecades && decades
      ? `${fmt(10 ** decades.rise)}x its minimum (${decades.rise.toFixed(1)} decades; threshold ${C2_ERROR_DECADES} decade)`
      : initialDrop >= C2_LEVEL_FLOOR * Math.abs(minValue) ? `of the initial drop (${fmt(initialDrop)})` : `of |minimum| x ${C2_LEVEL_FLOOR}`;
    return [
      makeFinding(c2Diverging, {
        severity: error ? 'error' : 'warning',
        message:
          `${loss.tag} rises from ${fmt(minValue)} at step ${fromStep} to ${fmt(held)} at step ${toStep}: ` +
          (byDecades ? `${base}.` : `${(relativeRise * 100).toFixed(0)}% ${base}, threshold ${(threshold * 100).toFixed(0)}%.`) +
          (spike && lr ? ` ${lr.tag} jumped ${fmt(spike.factor)}x at step ${spike.step}, above any rate used before.` : ''),
        tags: [loss.tag],
        steps: [fromStep, toStep],
        evidence: {
          relativeRise,
          threshold,
          fromStep,
          toStep,
          minLoss: minValue,
          endLoss: held,
          initialDrop,
          noise,
          decadesRise: decades ? decades.rise : null,
          decadesThreshold: C2_ERROR_DECADES,
          lrTag: lr ? lr.tag : null,
          ...(spike ? { lrJumpStep: spike.step, lrJumpFactor: spike.factor } : {}),
        },
        actions: [
          'lower the learning rate 3-10x (or run the P2 learning-rate range test)',
          'add gradient clipping (clip the global norm, e.g. at 1.0) and check the gradient norm curve (T2)',
          'check the sign of the objective: an optimizer maximising the loss, or a reward used as a loss',
          ...(spike && lr ? [`undo the ${fmt(spike.factor)}x jump of ${lr.tag} at step ${spike.step} (a restart should return to the earlier peak, not beyond it)`] : []),
          lr ? `check the learning-rate schedule in ${lr.tag}: does it rise or stay high where the loss rises?` : 'log the learning rate so the schedule can be checked against the rise',
        ],
      }),
    ];
  },
};

const tailCountOf = (n: number): number => Math.max(C2_MIN_POINTS_AFTER, Math.round(C2_MIN_SHARE_AFTER * n));

/**
 * The rise of a positive curve from its minimum to its held end level in decades, on the
 * median-smoothed log10 curve (a multiplicative loss is smoothed and judged where it is additive), with
 * the standard error of that rise from the log curve's own step-to-step noise. The raw first point
 * counts as a candidate minimum: a loss that jumps from its first logged value to a level it keeps for
 * the rest of the run diverged at once, and smoothing would erase that single low point. `null` for a
 * curve with a non-positive value.
 */
function decadesRise(values: readonly number[], w: number, tailCount: number): { rise: number; minIndex: number; minValue: number; standardError: number } | null {
  if (values.length < 3 || values.some((v) => !(v > 0))) return null;
  const logs = values.map((v) => Math.log10(v));
  const s = medianSmooth(logs, w);
  let minIndex = 0;
  let low = Math.min(s[0] as number, logs[0] as number);
  for (let i = 1; i < s.length; i++) if ((s[i] as number) < low) { low = s[i] as number; minIndex = i; }
  const held = quantile(logs.slice(logs.length - tailCount), 0.25);
  const sigma = logs.length < 8 ? 0 : diffNoise(logs);
  const standardError = 1.25 * (Number.isFinite(sigma) ? sigma : 0) * Math.sqrt(1 / tailCount + 1 / w);
  return { rise: held - low, minIndex, minValue: 10 ** low, standardError };
}

/** How a loss curve rose from its minimum to where it is held at the end. */
interface Rise {
  readonly fromStep: number;
  readonly toStep: number;
  readonly minValue: number;
  readonly held: number;
  readonly relativeRise: number;
  readonly initialDrop: number;
  readonly noise: number;
  readonly byDecades: boolean;
  readonly decades: ReturnType<typeof decadesRise>;
}

/** The sustained rise of `loss` after its minimum when it clears the thresholds, else null. */
function measureRise(loss: Curve): Rise | null {
  // A NaN is C6's finding; the blow-up right before it is the same event, so it is left out here.
  const prefix = finitePrefix(loss, true);
  if (prefix.values.length < 3) return null;
  const { steps, values } = decimate(prefix.steps, prefix.values);
  const n = values.length;
  // Epoch-level curves (under 8 points) are averages already; longer ones are median-smoothed.
  const w = n < 8 ? 1 : Math.max(3, autoWindow(n));
  const s = medianSmooth(values, w);
  const decades = decadesRise(values, w, tailCountOf(n));
  let minIndex = 0;
  let peakBefore = s[0] as number;
  for (let i = 1; i < n; i++) {
    if ((s[i] as number) < (s[minIndex] as number)) minIndex = i;
  }
  const tailCount = tailCountOf(n);
  if (decades !== null && n - 1 - decades.minIndex >= tailCount && decades.rise >= C2_ERROR_DECADES && decades.rise > C2_NOISE_SIGMAS * decades.standardError) {
    // Judged on the log curve: the minimum and the held level are those of the log-smoothed curve.
    minIndex = decades.minIndex;
  } else if (n - 1 - minIndex < tailCount) return null;
  const byDecades = decades !== null && decades.minIndex === minIndex && decades.rise >= C2_ERROR_DECADES && decades.rise > C2_NOISE_SIGMAS * decades.standardError;
  const minValue = byDecades && decades ? decades.minValue : (s[minIndex] as number);
  for (let i = 0; i <= minIndex; i++) peakBefore = Math.max(peakBefore, s[i] as number);
  const tailValues = values.slice(n - tailCount);
  // The level the curve is held at: a low quantile of the last points, so one bad batch at the end does not count.
  const held = quantile(tailValues, 0.25);
  const rise = held - minValue;
  const initialDrop = Math.max(0, peakBefore - minValue);
  const scale = Math.max(initialDrop, C2_LEVEL_FLOOR * Math.abs(minValue), 1e-12);
  const relativeRise = rise / scale;
  // Short epoch-level curves are averages: their point-to-point changes are trend, not noise.
  const sigma = n < 8 ? 0 : diffNoise(values);
  const noise = Number.isFinite(sigma) ? sigma : 0;
  const standardError = 1.25 * noise * Math.sqrt(1 / tailCount + 1 / w);
  if (!byDecades && (relativeRise < C2_WARNING_RISE || rise <= C2_NOISE_SIGMAS * standardError)) return null;
  return { fromStep: steps[minIndex] as number, toStep: steps[n - 1] as number, minValue, held, relativeRise, initialDrop, noise, byDecades, decades };
}

/**
 * Words naming the data-fit term of a composite objective (negative log-likelihood, reconstruction,
 * cross-entropy), as logged next to the total by ELBO-style models (`train_nll_epoch` beside
 * `train_kl_epoch` and `train_loss_epoch`).
 */
const DATA_TERM_WORDS = new Set(['nll', 'recon', 'reconstruction', 'likelihood', 'rec', 'ce', 'xent']);

/**
 * Whether the run logs a data-fit term of the train loss (same split, a word of
 * {@link DATA_TERM_WORDS}) whose own curve does not rise over the same steps.
 */
function dataTermsHold(run: Run, lossTag: string, fromStep: number): boolean {
  const split = classifyTag(lossTag).split;
  for (const series of run.scalars.values()) {
    if (series.tag === lossTag || series.values.length < 3) continue;
    const info = classifyTag(series.tag);
    if (info.kind !== 'loss' || info.split !== split) continue;
    if (!tagWords(series.tag).some((w) => DATA_TERM_WORDS.has(w))) continue;
    const term = toCurve(series);
    if (term.steps[term.steps.length - 1] === undefined || (term.steps[term.steps.length - 1] as number) <= fromStep) continue;
    if (measureRise(term) === null) return true;
  }
  return false;
}
