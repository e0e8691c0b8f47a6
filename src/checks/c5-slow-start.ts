/**
 * C5 Slow start: a long plateau at the starting level, then a late drop. The starting level is the one
 * the loss sits at once its initial fall (the first 10% of the points) is over: a classifier's bias
 * learns the class prior within the first updates, so an epoch-level curve (W&B, Keras) falls from
 * ln(C) to the predict-the-prior level at its first point or two and sits there. Typical causes are an
 * initialisation that is too small (signals and gradients vanish until the weights grow) or bad
 * examples in the data. A plateau the learning-rate schedule explains (a long warm-up, or a drop that
 * follows an LR step) is by design and not reported.
 */
import { decimate } from '../analysis/decimate.js';
import { finitePrefix } from '../analysis/finite-prefix.js';
import { flatness } from '../analysis/flatness.js';
import { lrAt, lrEvents, lrFor } from '../analysis/lr-events.js';
import type { LrView } from '../analysis/lr-events.js';
import { diffNoise } from '../analysis/noise.js';
import { autoWindow, medianSmooth } from '../analysis/smooth.js';
import type { Finding } from '../findings/finding.js';
import type { Check } from './check.js';
import { makeFinding } from './check.js';

/** The drop has "started" once the smoothed loss has made this share of its total drop. */
export const C5_ONSET_SHARE = 0.1;
/** Plateau length as a fraction of the run: info at or above this ... */
export const C5_INFO_PLATEAU = 0.2;
/** ... warning at or above this. */
export const C5_WARNING_PLATEAU = 0.3;
/** An lr differing by this factor between mid-plateau and the onset explains the plateau. */
export const C5_LR_FACTOR = 1.5;
export const C5_MIN_POINTS = 6;
/** A plateau needs at least this many points before the onset. */
export const C5_MIN_PLATEAU_POINTS = 3;
/** Share of the total drop whose crossing marks the body of the drop (its half-way point). */
export const C5_HALF_DROP = 0.5;
/**
 * A late drop is steep: the smoothed loss makes half its total drop within this many plateau lengths of
 * the onset. A loss that takes longer to get half-way down than it sat still is a slow steady decline
 * (noisy at its start), not a plateau followed by a drop.
 */
export const C5_STEEP_FACTOR = 1;
/**
 * The initial fall a plateau may start after: the first 10% of the points (as C9 skips for its spikes),
 * where epoch averages still hold the fall from the initialisation level to the class prior.
 */
export const C5_INITIAL_FALL = 0.1;

const fmt = (v: number): string => (Math.abs(v) >= 100 || (v !== 0 && Math.abs(v) < 0.01) ? v.toPrecision(3) : v.toFixed(3));

/** Whether the schedule explains a plateau from `from` to the onset at `onset` (steps). */
function lrExplains(lr: LrView, from: number, onset: number, span: number): boolean {
  const mid = from + (onset - from) / 2;
  const ratio = lrAt(lr, onset) / lrAt(lr, mid);
  if (!(ratio < C5_LR_FACTOR && ratio > 1 / C5_LR_FACTOR)) return true;
  const lo = onset - 0.25 * (onset - from);
  const hi = onset + 0.05 * span;
  return lrEvents(lr).some((e) => e.step >= lo && e.step <= hi);
}

/**
 * The index the plateau starts at: 0 when the loss stays at its first (smoothed) level for
 * {@link C5_MIN_PLATEAU_POINTS} points or more; else, after an initial fall, the first `k <= last` whose
 * next {@link C5_MIN_PLATEAU_POINTS} points as logged (not smoothed: a noisy curve does not sit
 * anywhere) stay within {@link C5_ONSET_SHARE} of the drop from the smoothed `s[k]` to the minimum;
 * else 0.
 */
function plateauStart(values: readonly number[], s: readonly number[], minI: number, last: number): number {
  const top0 = s[0] as number;
  const level0 = top0 - C5_ONSET_SHARE * (top0 - (s[minI] as number));
  if (s.findIndex((v) => v <= level0) >= C5_MIN_PLATEAU_POINTS) return 0;
  for (let k = 1; k <= last && k + C5_MIN_PLATEAU_POINTS < minI; k++) {
    const top = s[k] as number;
    const band = C5_ONSET_SHARE * (top - (s[minI] as number));
    if (!(band > 0)) continue;
    let sits = true;
    for (let j = k + 1; sits && j <= k + C5_MIN_PLATEAU_POINTS; j++) sits = Math.abs((values[j] as number) - top) <= band;
    if (sits) return k;
  }
  return 0;
}

/**
 * C5: the loss sits at its starting level (after its initial fall: the first 10% of the points) (never climbing above it by 10% of the drop) for a long
 * stretch (>= 20% of the run: info, >= 30%: warning) before it drops steeply (half the drop within one
 * plateau length of the onset), with no learning-rate change to explain it.
 * @example
 * c5SlowStart.run(ctx)[0]?.evidence // { plateauFraction: 0.5, threshold: 0.3, onsetStep: 300, ... }
 */
export const c5SlowStart: Check = {
  id: 'C5',
  title: 'Slow start',
  severity: 'warning',
  kind: 'log',
  description: 'Train loss stays at its starting level for a long stretch, then drops late, with no learning-rate change to explain it.',
  run(ctx): Finding[] {
    const loss = ctx.curves.trainLoss;
    if (!loss) return [];
    const prefix = finitePrefix(loss);
    const { steps, values } = decimate(prefix.steps, prefix.values);
    const n = values.length;
    if (n < C5_MIN_POINTS || flatness(values)?.flat !== false) return [];
    const s = medianSmooth(values, n < 8 ? 1 : Math.max(3, autoWindow(n)));
    let minI = 0;
    for (let i = 1; i < n; i++) if ((s[i] as number) < (s[minI] as number)) minI = i;
    // Where the plateau starts: the first point (within the initial fall) whose next points stay within
    // the onset share of the drop below it; the first point itself when none does (as before).
    const start = plateauStart(values, s, minI, Math.ceil(n * C5_INITIAL_FALL));
    const top = s[start] as number;
    const drop = top - (s[minI] as number);
    const noise = n >= 4 ? diffNoise(values) : 0;
    if (!(drop > 3 * (Number.isFinite(noise) ? noise : 0)) || drop <= 0) return [];
    const level = top - C5_ONSET_SHARE * drop;
    const onset = s.findIndex((v, i) => i >= start && v <= level);
    if (onset - start < C5_MIN_PLATEAU_POINTS) return [];
    const from = steps[start] as number;
    const last = steps[n - 1] as number;
    // Interpolate where the smoothed curve crosses the onset level, so one epoch of a short curve is not a plateau.
    const a = s[onset - 1] as number;
    const b = s[onset] as number;
    const sa = steps[onset - 1] as number;
    const onsetStep = sa + ((steps[onset] as number) - sa) * (a > b ? Math.min(1, Math.max(0, (a - level) / (a - b))) : 1);
    const span = last - (steps[0] as number);
    const plateauFraction = span > 0 ? (onsetStep - from) / span : 0;
    if (plateauFraction < C5_INFO_PLATEAU) return [];
    // A plateau sits at the starting level: a smoothed climb above it by as much as the onset share of the
    // drop (a warm-up bump, a resumed run) makes the start a valley, not the level the loss sat at.
    let peak = top;
    for (let i = start + 1; i < onset; i++) peak = Math.max(peak, s[i] as number);
    if (peak - top > C5_ONSET_SHARE * drop) return [];
    const halfLevel = top - C5_HALF_DROP * drop;
    const half = s.findIndex((v, i) => i >= start && v <= halfLevel);
    const halfStep = steps[half < 0 ? minI : half] as number;
    if (halfStep - onsetStep > C5_STEEP_FACTOR * (onsetStep - from)) return [];
    const lr = lrFor(loss, ctx.curves.lr);
    if (lr && lrExplains(lr, from, onsetStep, span)) return [];
    const warning = plateauFraction >= C5_WARNING_PLATEAU;
    const plateauEnd = (steps[Math.max(0, onset - 1)] as number);
    return [
      makeFinding(c5SlowStart, {
        severity: warning ? 'warning' : 'info',
        message:
          `${loss.tag} stays near ${start > 0 ? `the level it fell to first (${fmt(values[0] as number)} at step ${steps[0] as number} -> ${fmt(top)})` : `its starting level ${fmt(top)}`} from step ${from} to ${plateauEnd} ` +
          `(${(plateauFraction * 100).toFixed(0)}% of the run, threshold ${((warning ? C5_WARNING_PLATEAU : C5_INFO_PLATEAU) * 100).toFixed(0)}%), ` +
          `then drops to ${fmt(s[minI] as number)}${lr ? ` with no learning-rate change in ${lr.tag} to explain it` : ''}.`,
        tags: [loss.tag],
        steps: [from, plateauEnd],
        evidence: {
          plateauFraction,
          threshold: warning ? C5_WARNING_PLATEAU : C5_INFO_PLATEAU,
          onsetStep: steps[onset] as number,
          halfDropStep: halfStep,
          steepFactor: C5_STEEP_FACTOR,
          onsetShare: C5_ONSET_SHARE,
          startLoss: top,
          plateauStartStep: from,
          minLoss: s[minI] as number,
          totalDrop: drop,
          lrTag: lr ? lr.tag : null,
        },
        actions: [
          'check the weight initialisation: use He (ReLU) or Glorot (tanh/sigmoid) scales for the fan-in (M5); too-small weights stall the start',
          'check the output-layer bias: start it at the target mean or class log-prior (M4)',
          'look for bad examples or labels early in the data (D3, D7), and shuffle the training set (D4)',
          lr ? 'if the plateau is meant as warm-up, make the warm-up shorter' : 'log the learning rate: a long warm-up would explain this plateau',
        ],
      }),
    ];
  },
};
