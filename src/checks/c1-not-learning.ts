/**
 * C1 Not learning: the training loss is flat from the start (after smoothing). Parked at a chance
 * level (ln C for C classes, ln 2 for binary) or not moving at all, it is an error: the model learns
 * nothing, usually a wiring bug (M2/M3), a learning rate far off, or frozen parameters (M7). A curve
 * that falls at first (from a bad initial loss down to chance) and then sits at the chance level for the
 * second half of the run is parked there too (CHECKS.md trap: "parked at such a level is C1 even if it
 * wiggles"), and so is one that starts at chance and barely leaves it. When the train loss alone
 * cannot tell (per-batch noise, a regularisation term in it), the validation loss can: flat at a chance
 * level from its first evaluation, flat beside a train loss that goes nowhere, or identical to the train
 * loss (outputs that ignore the inputs).
 */
import { LEVEL_MIN_STEPS, stepSpan, tooYoung } from '../analysis/curve-span.js';
import { minOf } from '../analysis/extremes.js';
import { decimate } from '../analysis/decimate.js';
import { epochLevelPoints } from '../analysis/epoch-points.js';
import { finitePrefix } from '../analysis/finite-prefix.js';
import type { Flatness } from '../analysis/flatness.js';
import { DEAD_FLAT_CHANGE, FLAT_MAX_CHANGE, FLAT_MAX_RANGE, flatness } from '../analysis/flatness.js';
import { levelShift } from '../analysis/level-shift.js';
import { diffNoise } from '../analysis/noise.js';
import type { ReferenceLevel } from '../analysis/reference-levels.js';
import { chanceForStart, chanceLevels, parkedAt } from '../analysis/reference-levels.js';
import { median } from '../analysis/robust.js';
import { autoWindow, medianSmooth } from '../analysis/smooth.js';
import type { Finding } from '../findings/finding.js';
import type { Curve } from '../telemetry/curves.js';
import type { Check } from './check.js';
import { makeFinding, tooLittleData } from './check.js';

/** Fewest finite points to call a loss flat: a stuck loss is certain on short (5-20 point) epoch curves, not on the first 3 points of a run being watched. */
export const C1_MIN_POINTS = 5;
/** Relative distance from a chance level (ln C) that counts as parked there. */
export const C1_REFERENCE_TOLERANCE = 0.03;
/**
 * A curve that starts at a chance level (within 2x the tolerance: the initial loss of a C-class
 * cross-entropy, M3) and whose level stays within 2x the tolerance of it counts as not learning up to
 * this net change (instead of {@link FLAT_MAX_CHANGE}), as long as its smoothed range stays contained.
 */
export const C1_NEAR_CHANCE_CHANGE = 0.1;
/** Parked after a fall: the smoothed curve must never have gone further than this below the chance level (it never learned past it). */
export const C1_BELOW_CHANCE = 0.1;
/** Parked after a fall: points needed, so the second half alone (>= 3 points) can be judged flat; 8 epoch-level points suffice. */
export const C1_PARKED_MIN_POINTS = 6;

/** Why a curve that is not flat as a whole is still not learning. */
interface Parked {
  readonly kind: 'after-fall' | 'near-chance';
  readonly ref: ReferenceLevel;
  /** Index (in the decimated curve) where the judged stretch starts. */
  readonly from: number;
  /** Median of the judged stretch. */
  readonly level: number;
}

function parkedAtChance(values: readonly number[], f: Flatness, refs: readonly ReferenceLevel[]): Parked | null {
  const ref = chanceForStart(f.start, refs, 2 * C1_REFERENCE_TOLERANCE);
  if (!ref) return null;
  const near = (x: number, tol: number): boolean => Math.abs(x - ref.value) <= tol * ref.value;
  // Starts at chance and barely leaves it: a net change under 10% with a contained range.
  if (near(f.start, 2 * C1_REFERENCE_TOLERANCE) && near(f.level, 2 * C1_REFERENCE_TOLERANCE) && Math.abs(f.relativeChange) < C1_NEAR_CHANCE_CHANGE && f.relativeRange < FLAT_MAX_RANGE) {
    return { kind: 'near-chance', ref, from: 0, level: f.level };
  }
  // Falls to chance, then sits there for the second half without ever having gone clearly below it.
  const n = values.length;
  if (n < C1_PARKED_MIN_POINTS) return null;
  const half = Math.floor(n / 2);
  const late = flatness(values.slice(half));
  if (!late?.flat || !near(late.level, C1_REFERENCE_TOLERANCE) || !notBelow(values.slice(half), ref)) return null;
  const smoothed = medianSmooth(values, Math.max(3, autoWindow(n)));
  if (minOf(smoothed) < (1 - C1_BELOW_CHANCE) * ref.value) return null;
  return { kind: 'after-fall', ref, from: half, level: median(values.slice(half)) };
}

const fmt = (v: number): string => (Math.abs(v) >= 100 || Math.abs(v) < 0.01 ? v.toPrecision(3) : v.toFixed(3));
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

const ACTIONS = [
  'run `nndoctor preflight` overfit-one-batch (P1): a working model drives 1-3 examples to near-zero loss',
  'check the loss wiring: logits vs probabilities, double softmax, labels in the right format (M2, M3)',
  'check that the parameters get gradients and change (M7, T9): frozen layers, detached tensors, optimizer given the wrong parameters',
  'try learning rates 10x higher and 10x lower (P2 learning-rate range test)',
];

/**
 * Flat from the start: a first value further than this share of the level from the level (and beyond
 * 3 sigma of the point noise) shows the loss moved at its start (a fall from a huge initial loss, a
 * jump up), so the curve is not flat from the start (the range a flat curve's smoothed values stay in).
 */
export const C1_START_MOVE = FLAT_MAX_RANGE;
/**
 * A guessed class count (no metadata) only counts when the level is not significantly below ln(C):
 * a model that learned nothing predicts an input-independent distribution, whose loss is at least the
 * label entropy, at most ln(C) and equal to it for balanced classes; a level more than this many
 * standard errors below ln(C) is a loss that happens to lie near it (a language model at 2.27 near ln 10).
 */
export const C1_BELOW_REFERENCE_T = 3;
/**
 * Collapse: train and validation losses the same within this share of their level over the second half,
 * and the train loss moving less than this share from point to point. Train and validation sets differ,
 * so a model whose outputs depend on its inputs has per-example losses that spread, and its train and
 * validation means differ by their sampling error; only outputs that ignore the input (a constant: the
 * chance level, the margin of a triplet loss) give the same loss on both sets, to the 4th digit.
 */
export const C1_COLLAPSE_GAP = 0.001;

/** Validation route: evaluations the validation curve needs to be called flat from its first one (as many as a short epoch-level train curve). */
export const C1_VAL_MIN_POINTS = C1_MIN_POINTS;
/**
 * Validation route: the train curve's first and last thirds may differ by at most this many standard
 * errors (two-sided ~95% level): a per-batch loss too noisy to be called flat on its own must at least
 * show no significant fall while the validation loss stays flat.
 */
export const C1_TRAIN_SHIFT_T = 2;

/** Whether the first value lies clearly off the curve's level (the loss moved at its start): `down` = it fell from there. */
function movedAtStart(values: readonly number[], f: Flatness): 'down' | 'up' | null {
  const first = values[0] as number;
  const sigma = values.length >= 4 ? diffNoise(values) : 0;
  if (Math.abs(first - f.level) <= C1_START_MOVE * Math.abs(f.level) + 3 * (Number.isFinite(sigma) ? sigma : 0)) return null;
  return first > f.level ? 'down' : 'up';
}

/** Whether `values` (a parked stretch) sit at or above `ref`, or below it by no more than 3 standard errors of their median. */
function notBelow(values: readonly number[], ref: ReferenceLevel): boolean {
  if (ref.source === 'meta') return true;
  const sigma = values.length >= 4 ? diffNoise(values) : 0;
  const error = (1.25 * (Number.isFinite(sigma) ? sigma : 0)) / Math.sqrt(values.length);
  return median(values) >= ref.value - C1_BELOW_REFERENCE_T * error;
}

/** The second half of a curve's finite prefix, by its point count. */
function secondHalf(c: { steps: readonly number[]; values: readonly number[] }): { steps: number[]; values: number[] } {
  const h = Math.floor(c.values.length / 2);
  return { steps: c.steps.slice(h), values: c.values.slice(h) };
}

/**
 * Validation parked at chance: the validation loss is flat from its first evaluation within 3% of a
 * chance level ln(C) (not significantly below it for a guessed C), and the train loss never got more than
 * 10% below that level either: the model never predicts held-out data better than uniform.
 */
function valAtChance(trainTag: string, train: readonly number[], val: Curve | null, refs: readonly ReferenceLevel[]): Finding | null {
  if (!val) return null;
  const vp = finitePrefix(val);
  if (vp.values.length < C1_VAL_MIN_POINTS) return null;
  const vf = flatness(vp.values);
  if (!vf?.flat) return null;
  const ref = parkedAt(vf.level, refs, C1_REFERENCE_TOLERANCE);
  if (!ref || !notBelow(vp.values, ref)) return null;
  const trainLate = median(train.slice(Math.floor(train.length / 2)));
  if (trainLate < (1 - C1_BELOW_CHANCE) * ref.value) return null;
  const from = vp.steps[0] as number;
  const to = vp.steps[vp.steps.length - 1] as number;
  return makeFinding(c1NotLearning, {
    severity: 'error',
    message:
      `${val.tag} sits at ${ref.name} = ${fmt(ref.value)}, the chance level for ${ref.classes} classes${ref.source === 'meta' ? ' (class count from the run metadata)' : ''}, ` +
      `from its first evaluation at step ${from} to ${to} (${fmt(vf.start)} -> ${fmt(vf.end)}, level ${fmt(vf.level)} within ${pct(C1_REFERENCE_TOLERANCE)}), ` +
      `and ${trainTag} never gets more than ${pct(C1_BELOW_CHANCE)} below it (second half ${fmt(trainLate)}): the model predicts held-out data no better than uniform.`,
    tags: [trainTag, val.tag],
    steps: [from, to],
    evidence: {
      pattern: 'validation-at-chance',
      startLoss: vf.start,
      endLoss: vf.end,
      level: vf.level,
      relativeChange: vf.relativeChange,
      threshold: FLAT_MAX_CHANGE,
      referenceLevel: ref.value,
      referenceName: ref.name,
      referenceTolerance: C1_REFERENCE_TOLERANCE,
      trainLateLevel: trainLate,
      belowChanceLimit: C1_BELOW_CHANCE,
      classesFromMeta: ref.source === 'meta' ? ref.classes : null,
      points: vp.values.length,
    },
    actions: [...ACTIONS],
  });
}

/**
 * Collapse: over the second half of the validation curve, train and validation losses are flat, equal
 * within {@link C1_COLLAPSE_GAP} of their level, and the train loss barely moves from point to point:
 * the loss no longer depends on the examples, so the outputs ignore the inputs.
 */
function collapsed(train: Curve, trainPrefix: { steps: readonly number[]; values: readonly number[] }, val: Curve | null, refs: readonly ReferenceLevel[]): Finding | null {
  if (!val) return null;
  const vp = finitePrefix(val);
  if (vp.values.length < C1_PARKED_MIN_POINTS) return null;
  const vl = secondHalf(vp);
  const from = vl.steps[0] as number;
  const to = vl.steps[vl.steps.length - 1] as number;
  const tl: number[] = [];
  trainPrefix.steps.forEach((s, i) => {
    if (s >= from && s <= to) tl.push(trainPrefix.values[i] as number);
  });
  if (tl.length < 3 || !flatness(tl)?.flat || !flatness(vl.values)?.flat) return null;
  const trainLevel = median(tl);
  const valLevel = median(vl.values);
  const scale = Math.max(Math.abs(trainLevel), Math.abs(valLevel));
  if (!(scale > 0) || Math.abs(trainLevel - valLevel) > C1_COLLAPSE_GAP * scale) return null;
  const sigma = tl.length >= 4 ? diffNoise(tl) : Math.abs((tl[tl.length - 1] as number) - (tl[0] as number));
  if (!(sigma <= C1_COLLAPSE_GAP * scale)) return null;
  const ref = parkedAt(valLevel, refs, C1_REFERENCE_TOLERANCE);
  const where = ref ? `, at ${ref.name} = ${fmt(ref.value)}, the chance level for ${ref.classes} classes` : '';
  return makeFinding(c1NotLearning, {
    severity: ref ? 'error' : 'warning',
    message:
      `${train.tag} and ${val.tag} are the same loss from step ${from} to ${to}: ${fmt(trainLevel)} and ${fmt(valLevel)} (within ${pct(C1_COLLAPSE_GAP)}), both flat${where}: ` +
      'the loss no longer depends on which examples the model sees, so its outputs ignore the inputs (collapsed to a constant prediction, or embeddings collapsed onto the margin of a triplet or contrastive loss).',
    tags: [train.tag, val.tag],
    steps: [from, to],
    evidence: {
      pattern: 'collapsed',
      trainLevel,
      valLevel,
      relativeGap: Math.abs(trainLevel - valLevel) / scale,
      gapThreshold: C1_COLLAPSE_GAP,
      trainNoise: sigma / scale,
      referenceLevel: ref ? ref.value : null,
      referenceName: ref ? ref.name : null,
      points: tl.length,
    },
    actions: ['check that the outputs vary with the inputs on a fixed batch (P7): a constant output is a collapse (dead units, T5; an embedding trivially mapped to one point)', ...ACTIONS],
  });
}

/**
 * The validation route of C1: the train loss is per-batch noise with no significant level change
 * between its first and last thirds, and the validation loss (a mean over the whole validation set each
 * time) is flat from its first evaluation: neither split improves.
 */
function flatWithValidation(trainTag: string, train: readonly number[], val: Curve | null): Finding | null {
  if (!val) return null;
  const vp = finitePrefix(val);
  if (vp.values.length < C1_VAL_MIN_POINTS) return null;
  const vf = flatness(vp.values);
  if (!vf?.flat) return null;
  const shift = levelShift(train);
  if (!shift || !(Math.abs(shift.t) < C1_TRAIN_SHIFT_T)) return null;
  // ... and it must not have fallen at its start (then flat at a lower level): that train loss learned
  // something in its first points, and only validation stayed put (a gap, C3's story).
  const tf = flatness(train);
  if (tf && movedAtStart(train, tf) === 'down') return null;
  const from = vp.steps[0] as number;
  const to = vp.steps[vp.steps.length - 1] as number;
  return makeFinding(c1NotLearning, {
    severity: 'warning',
    message:
      `${val.tag} stays flat from its first evaluation at step ${from} to ${to}: ${fmt(vf.start)} -> ${fmt(vf.end)} ` +
      `(${vf.relativeChange >= 0 ? '-' : '+'}${pct(Math.abs(vf.relativeChange))}, flat below ${pct(FLAT_MAX_CHANGE)}), and ${trainTag} is noise around one level ` +
      `(first third ${fmt(shift.first)}, last third ${fmt(shift.last)}: ${Math.abs(shift.t).toFixed(1)} standard errors apart, under ${C1_TRAIN_SHIFT_T}): neither split improves.`,
    tags: [trainTag, val.tag],
    steps: [from, to],
    evidence: {
      pattern: 'flat-with-validation',
      startLoss: vf.start,
      endLoss: vf.end,
      level: vf.level,
      relativeChange: vf.relativeChange,
      threshold: FLAT_MAX_CHANGE,
      relativeRange: vf.relativeRange,
      trainFirstThird: shift.first,
      trainLastThird: shift.last,
      trainShiftT: shift.t,
      trainShiftThreshold: C1_TRAIN_SHIFT_T,
      points: vp.values.length,
    },
    actions: [...ACTIONS, 'if the first evaluation already comes after most of the learning, evaluate (and log the train loss) from step 0 to see the start'],
  });
}

function parkedFinding(tag: string, d: { steps: readonly number[]; values: readonly number[] }, f: Flatness, p: Parked, to: number): Finding {
  const from = d.steps[p.from] as number;
  const ref = p.ref;
  const refText = `${ref.name} = ${fmt(ref.value)}, the chance level for ${ref.classes} classes${ref.source === 'meta' ? ' (class count from the run metadata)' : ''}`;
  const message = p.kind === 'after-fall'
    ? `${tag} falls from ${fmt(f.start)} to the chance level and stays there: from step ${from} to ${to} (the second half of the run) it is flat at ${fmt(p.level)}, parked at ${refText} (within ${pct(C1_REFERENCE_TOLERANCE)}), and it never went more than ${pct(C1_BELOW_CHANCE)} below it: the model predicts no better than uniform.`
    : `${tag} starts at ${refText}, and barely leaves it: ${fmt(f.start)} -> ${fmt(f.end)} (${f.relativeChange >= 0 ? '-' : '+'}${pct(Math.abs(f.relativeChange))}, under ${pct(C1_NEAR_CHANCE_CHANGE)} near a chance level; level ${fmt(p.level)} within ${pct(2 * C1_REFERENCE_TOLERANCE)} of it) from step ${from} to ${to}.`;
  return makeFinding(c1NotLearning, {
    severity: 'error',
    message,
    tags: [tag],
    steps: [from, to],
    evidence: {
      pattern: p.kind === 'after-fall' ? 'parked-after-fall' : 'near-chance',
      startLoss: f.start,
      endLoss: f.end,
      level: p.level,
      relativeChange: f.relativeChange,
      threshold: p.kind === 'after-fall' ? FLAT_MAX_CHANGE : C1_NEAR_CHANCE_CHANGE,
      relativeRange: f.relativeRange,
      referenceLevel: ref.value,
      referenceName: ref.name,
      referenceTolerance: p.kind === 'after-fall' ? C1_REFERENCE_TOLERANCE : 2 * C1_REFERENCE_TOLERANCE,
      belowChanceLimit: C1_BELOW_CHANCE,
      classesFromMeta: ref.source === 'meta' ? ref.classes : null,
      points: d.values.length,
    },
    actions: p.kind === 'after-fall'
      ? ['the first steps only removed a bad initial loss; check what stops learning after that: too much dropout/regularisation, saturated or dead units (T5, T6), unscaled inputs (D2), the learning rate (P2)', ...ACTIONS]
      : [...ACTIONS],
  });
}

/**
 * C1 (step-level curves spanning >= 100 steps unless each point is an epoch, epoch-level ones from 5
 * points): the train loss does not move from its first logged value (error when parked at a chance level
 * or dead flat, else warning; a first value clearly off the level means it moved at its start, and only a
 * fall followed by a dead-flat loss still counts); or, error, it is parked at the chance level ln(C) its
 * start allows (the highest ln(C) at or below the start): flat over the second half within 3% of it after
 * an early fall, never more than 10% below it and, for a guessed C, not significantly below it (>= 6
 * points); or starting within 6% of it and moving less than 10% net with the level within 6% and a
 * contained range. With a validation curve: validation flat within 3% of ln(C) from its first evaluation
 * (error); train and validation identical within 0.1% and flat (collapse); or validation flat from its
 * first evaluation while the train loss shows no significant level shift (warning).
 * @example
 * c1NotLearning.run({ run, curves }) // [{ check: 'C1', severity: 'error', message: 'train/loss stays flat ... ln(10) ...' }]
 */
export const c1NotLearning: Check = {
  id: 'C1',
  title: 'Not learning',
  severity: 'error',
  kind: 'log',
  description: 'Train loss flat from the start (after smoothing), or parked at a chance level such as ln(C): the model learns nothing.',
  run(ctx): Finding[] {
    const loss = ctx.curves.trainLoss;
    if (!loss) return [];
    const prefix = finitePrefix(loss);
    const n = prefix.values.length;
    if (n < C1_MIN_POINTS) {
      // A curve that turns NaN early is C6's finding, not a lack of data.
      return prefix.nonFiniteStep === null ? [tooLittleData(c1NotLearning, loss.tag, n, C1_MIN_POINTS)] : [];
    }
    // A healthy network can sit at the chance level for its first dozens of steps (a small CNN in the
    // corpus did for 20): an error there would stop a healthy run watched with `--stop-on error`.
    // ... unless each point already stands for a whole epoch (one point per epoch of the run's epoch
    // counter, or an epoch counter passed as the step): then the curve is judged like an epoch curve.
    const young = tooYoung({ unit: loss.unit, steps: prefix.steps }) && !epochLevelPoints({ unit: loss.unit, steps: prefix.steps }, ctx.curves.epoch, ctx.run.scalars.get(loss.tag));
    if (young) return prefix.nonFiniteStep === null ? [tooLittleData(c1NotLearning, loss.tag, stepSpan({ steps: prefix.steps }), LEVEL_MIN_STEPS, 'step')] : [];
    const d = decimate(prefix.steps, prefix.values);
    const f0 = flatness(d.values);
    if (!f0) return [];
    // Flat from the start: not when the first value lies clearly off the level (it fell from a huge
    // initial loss, or jumped up): then only a chance level or the validation curve can say "stuck".
    // A fall at the first point followed by a loss that does not move at all is still stuck (a PINN at
    // 1.57e24 for 77 epochs); a jump up at the start is a rise, C2's finding.
    const moved = f0.flat ? movedAtStart(d.values, f0) : null;
    const stuckAfter = moved === 'down' && flatness(d.values.slice(1))?.deadFlat === true;
    const f: Flatness = moved && !stuckAfter ? { ...f0, flat: false, deadFlat: false } : f0;
    const refs = chanceLevels(ctx.run.meta);
    const parked = f.flat ? null : parkedAtChance(d.values, f, refs);
    if (!f.flat && !parked) {
      const val = ctx.curves.valLoss;
      const other = valAtChance(loss.tag, d.values, val, refs) ?? collapsed(loss, prefix, val, refs) ?? flatWithValidation(loss.tag, d.values, val);
      return other ? [other] : [];
    }
    if (parked) return [parkedFinding(loss.tag, d, f, parked, prefix.steps[n - 1] as number)];
    const from = prefix.steps[0] as number;
    const to = prefix.steps[n - 1] as number;
    const ref = parkedAt(f.level, chanceLevels(ctx.run.meta), C1_REFERENCE_TOLERANCE);
    const atRef = ref !== null && parkedAt(f.start, [ref], 2 * C1_REFERENCE_TOLERANCE) !== null;
    const error = atRef || f.deadFlat;
    const metaRef = chanceLevels(ctx.run.meta).find((r) => r.source === 'meta') ?? null;
    const below = !atRef && metaRef !== null && f.level < metaRef.value * (1 - 2 * C1_REFERENCE_TOLERANCE);
    const where = atRef && ref
      ? `, parked at ${ref.name} = ${fmt(ref.value)}, the chance level for ${ref.classes} classes${ref.source === 'meta' ? ' (class count from the run metadata)' : ''}`
      : f.deadFlat
        ? ', it does not move at all'
        : below && metaRef
          ? `; it sits below the uniform-chance level ${metaRef.name} = ${fmt(metaRef.value)}, so it learned something before step ${from} (perhaps only the class frequencies) and then stopped`
          : '';
    const message =
      `${loss.tag} stays flat from step ${from} to ${to}: ${fmt(f.start)} -> ${fmt(f.end)} ` +
      `(${f.relativeChange >= 0 ? '-' : '+'}${pct(Math.abs(f.relativeChange))}, flat below ${pct(FLAT_MAX_CHANGE)})${where}` +
      `${stuckAfter ? ` (after a fall at its first point, ${fmt(d.values[0] as number)}, it is stuck)` : ''}.`;
    const actions = [...ACTIONS];
    if (below) actions.push('compare the level with the entropy of the label distribution: a model stuck there predicts the class frequencies and ignores its inputs (D8)');
    if (!error) actions.push('if the first logged point already comes after most of the learning, log from step 0 to see the start');
    return [
      makeFinding(c1NotLearning, {
        severity: error ? 'error' : 'warning',
        message,
        tags: [loss.tag],
        steps: [from, to],
        evidence: {
          startLoss: f.start,
          endLoss: f.end,
          level: f.level,
          relativeChange: f.relativeChange,
          threshold: FLAT_MAX_CHANGE,
          relativeRange: f.relativeRange,
          deadFlatThreshold: DEAD_FLAT_CHANGE,
          fellAtFirstPoint: stuckAfter,
          referenceLevel: atRef && ref ? ref.value : null,
          referenceName: atRef && ref ? ref.name : null,
          referenceTolerance: C1_REFERENCE_TOLERANCE,
          classesFromMeta: metaRef ? metaRef.classes : null,
          points: n,
        },
        actions,
      }),
    ];
  },
};
