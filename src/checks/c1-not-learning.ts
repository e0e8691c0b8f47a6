/**
 * C1 Not learning: the training loss is flat from the start (after smoothing). Parked at a chance
 * level (ln C for C classes, ln 2 for binary) or not moving at all, it is an error: the model learns
 * nothing, usually a wiring bug (M2/M3), a learning rate far off, or frozen parameters (M7). A curve
 * that falls at first (from a bad initial loss down to chance) and then sits at the chance level for the
 * second half of the run is parked there too (CHECKS.md trap: "parked at such a level is C1 even if it
 * wiggles"), and so is one that starts at chance and barely leaves it.
 */
import { LEVEL_MIN_STEPS, stepSpan, tooYoung } from '../analysis/curve-span.js';
import { decimate } from '../analysis/decimate.js';
import { finitePrefix } from '../analysis/finite-prefix.js';
import type { Flatness } from '../analysis/flatness.js';
import { DEAD_FLAT_CHANGE, FLAT_MAX_CHANGE, FLAT_MAX_RANGE, flatness } from '../analysis/flatness.js';
import type { ReferenceLevel } from '../analysis/reference-levels.js';
import { chanceForStart, chanceLevels, parkedAt } from '../analysis/reference-levels.js';
import { median } from '../analysis/robust.js';
import { autoWindow, medianSmooth } from '../analysis/smooth.js';
import type { Finding } from '../findings/finding.js';
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
  if (!late?.flat || !near(late.level, C1_REFERENCE_TOLERANCE)) return null;
  const smoothed = medianSmooth(values, Math.max(3, autoWindow(n)));
  if (Math.min(...smoothed) < (1 - C1_BELOW_CHANCE) * ref.value) return null;
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
 * C1 (step-level curves spanning >= 100 steps, epoch-level ones from 5 points): the train loss does not move from its first logged value (error when parked at a chance level
 * or dead flat, else warning); or, error, it is parked at the chance level ln(C) its start allows (the
 * highest ln(C) at or below the start): flat over the second half within 3% of it after an early fall,
 * never more than 10% below it (>= 6 points); or starting within 6% of it and moving less than 10% net
 * with the level within 6% and a contained range.
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
    if (tooYoung({ unit: loss.unit, steps: prefix.steps })) return prefix.nonFiniteStep === null ? [tooLittleData(c1NotLearning, loss.tag, stepSpan({ steps: prefix.steps }), LEVEL_MIN_STEPS, 'step')] : [];
    const d = decimate(prefix.steps, prefix.values);
    const f = flatness(d.values);
    if (!f) return [];
    const parked = f.flat ? null : parkedAtChance(d.values, f, chanceLevels(ctx.run.meta));
    if (!f.flat && !parked) return [];
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
      `(${f.relativeChange >= 0 ? '-' : '+'}${pct(Math.abs(f.relativeChange))}, flat below ${pct(FLAT_MAX_CHANGE)})${where}.`;
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
