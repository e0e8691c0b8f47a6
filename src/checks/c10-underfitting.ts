/**
 * C10 Underfitting: the training loss stays high, well above what the task allows, and has levelled
 * off, while the validation loss sits right beside it: the model cannot even fit the training data, so
 * there is no generalisation gap to worry about yet, only missing capacity (or a wiring bug).
 *
 * What a task allows is rarely known from a log, so "high" is only called against a reference level the
 * log itself establishes:
 * - the floor of a double softmax: a classifier whose outputs are already probabilities and go through
 *   a softmax cross-entropy again (M2) cannot get below ln(1 + (C-1)/e) (1.461 for 10 classes) however
 *   well it fits; a loss parked there has hit the wiring, not the data;
 * - the chance level ln(C), when the class count is known (metadata) or the loss starts at ln(C) (the
 *   initial loss of a C-class cross-entropy, M3): a loss levelled off at half of it or more has fitted
 *   little of the training data.
 * A loss that is merely high relative to its own start is not enough (a fine-tune continuation, or a
 * regression converged at its noise floor, look the same).
 */
import { tooYoung } from '../analysis/curve-span.js';
import { minOf } from '../analysis/extremes.js';
import { decimate } from '../analysis/decimate.js';
import { epochLevelPoints } from '../analysis/epoch-points.js';
import { firstNonFinite } from '../analysis/finite.js';
import { flatness } from '../analysis/flatness.js';
import type { ReferenceLevel } from '../analysis/reference-levels.js';
import { chanceLevels, doubleSoftmaxFloor, parkedAt } from '../analysis/reference-levels.js';
import { median } from '../analysis/robust.js';
import { autoWindow, medianSmooth } from '../analysis/smooth.js';
import { endFall } from '../analysis/tail-trend.js';
import type { Finding } from '../findings/finding.js';
import type { Curve } from '../telemetry/curves.js';
import type { Check, CheckContext } from './check.js';
import { makeFinding } from './check.js';

/**
 * Chance rule: "high" = the levelled-off train loss is at least this share of the chance level ln(C)
 * (10 classes: >= 1.15, where a fitted MNIST-like model ends below 0.6): the model has extracted less
 * than half of the label entropy ln(C) a uniform guess leaves.
 */
export const C10_CHANCE_SHARE = 0.5;
/** Chance rule: validation within this fraction of the train loss, either side (further above is a gap, C3; far below another story, M8/D5). */
export const C10_CHANCE_GAP = 0.25;
/**
 * The chance and floor rules are for multi-class losses: half of ln 2 (0.35) and the binary floor
 * ln(1 + 1/e) = 0.313 are levels a fitted but hard binary task ends at.
 */
export const C10_MIN_CLASSES = 3;
/**
 * Without a class count in the metadata, ln(C) is established only by a start within this of it (the
 * initial loss of a C-class cross-entropy, M3; 2x the 3% parking tolerance of C1 because an initial
 * loss sits a little above ln(C) with a random init).
 */
export const C10_START_TOLERANCE = 0.06;
/** Floor rule: the second-half level within this of ln(1 + (C-1)/e), either side (C1's tolerance for a parked level). */
export const C10_FLOOR_TOLERANCE = 0.03;
/**
 * "Levelled off": the last 20% of the train curve does not fall significantly by this share of its
 * level or more (the labels' "still clearly falling" for C4: >= 3% over the last 10-20%).
 */
export const C10_END_FALL = 0.03;
/**
 * A step-level curve whose first point lies within this share of its span is logged from the start of
 * training, so its first value is the initial loss (one logging interval in 100 is still before the
 * early fall of a from-scratch classifier has gone far).
 */
export const C10_INITIAL_STEP_SHARE = 0.01;
/** Fraction of the run whose trend decides "levelled off" (the C4 window). */
export const C10_END_FRACTION = 0.2;
/** Points needed: a second half of >= 3 points to call it flat (as C1's parked rule). */
export const C10_MIN_POINTS = 6;

/** The common chance levels (class counts guessed from the level alone). */
const COMMON_CHANCE = chanceLevels(new Map());
/**
 * The initial fall: the first 10% of the points (as C9 skips for its spikes), where an epoch-average
 * first point still holds the fall from the initialisation level (ln of the output width).
 */
export const C10_INITIAL_FALL = 0.1;
/** A level is "sat at" over this many consecutive points: the fewest a median ignores one wild point in. */
export const C10_SIT_POINTS = 3;

/**
 * The reference among `refs` that the loss sits at right after its initial fall: some
 * {@link C10_SIT_POINTS} consecutive points starting within the first {@link C10_INITIAL_FALL} of the
 * curve, all within {@link C10_START_TOLERANCE} of it; `null` otherwise.
 * @example
 * sitsEarlyAt([3.16, 2.34, 2.32, 2.31, 2.2, 2.0], chanceLevels(new Map()))?.name // 'ln(10)'
 */
function sitsEarlyAt(values: readonly number[], refs: readonly ReferenceLevel[]): ReferenceLevel | null {
  const last = Math.max(1, Math.ceil(values.length * C10_INITIAL_FALL));
  for (let k = 0; k <= last && k + C10_SIT_POINTS <= values.length; k++) {
    const window = values.slice(k, k + C10_SIT_POINTS);
    const at = parkedAt(median(window), refs, C10_START_TOLERANCE);
    if (at && window.every((v) => Math.abs(v - at.value) <= C10_START_TOLERANCE * at.value)) return at;
  }
  return null;
}

const fmt = (v: number): string => (Math.abs(v) >= 100 || (v !== 0 && Math.abs(v) < 0.01) ? v.toPrecision(3) : v.toFixed(3));
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

const ACTIONS = [
  'increase capacity: wider or deeper layers, or a stronger architecture for the data (P3 compares model sizes)',
  'reduce regularisation: lower dropout and weight decay, weaker augmentation',
  'train longer or with a better-tuned learning rate (P2 range test); check the features carry the signal (D2, D8)',
];

/** The floor a double softmax puts under a C-class cross-entropy, parked at by `level`. */
function parkedAtFloor(level: number, refs: readonly ReferenceLevel[]): { floor: number; ref: ReferenceLevel } | null {
  const floors: ReferenceLevel[] = refs.map((r) => ({ ...r, name: `ln(1 + ${r.classes - 1}/e)`, value: doubleSoftmaxFloor(r.classes) }));
  const at = parkedAt(level, floors, C10_FLOOR_TOLERANCE);
  if (!at) return null;
  return { floor: at.value, ref: refs.find((r) => r.classes === at.classes) as ReferenceLevel };
}

function floorFinding(train: Curve, val: Curve | null, d: { steps: number[]; values: number[] }, ctx: CheckContext): Finding | null {
  const n = d.values.length;
  const half = Math.floor(n / 2);
  const late = d.values.slice(half);
  if (!flatness(late)?.flat) return null;
  const level = median(late);
  const refs = chanceLevels(ctx.run.meta).filter((r) => r.classes >= C10_MIN_CLASSES);
  const at = parkedAtFloor(level, refs);
  if (!at) return null;
  // A floor is never crossed: the smoothed curve (and validation) stay above it.
  const smoothed = medianSmooth(d.values, n < 8 ? 1 : Math.max(3, autoWindow(n)));
  const lowest = minOf(smoothed);
  if (lowest < at.floor * (1 - C10_FLOOR_TOLERANCE)) return null;
  const valEnd = val ? median(val.values.slice(-Math.min(3, val.values.length))) : null;
  if (valEnd !== null && valEnd < at.floor * (1 - C10_FLOOR_TOLERANCE)) return null;
  const from = d.steps[half] as number;
  const to = train.steps[train.steps.length - 1] as number;
  const classes = at.ref.classes;
  return makeFinding(c10Underfitting, {
    severity: 'warning',
    message:
      `${train.tag} levels off at ${fmt(level)} from step ${from} to ${to}, at the floor of a double softmax for ${classes} classes, ` +
      `ln(1 + ${classes - 1}/e) = ${fmt(at.floor)} (within ${pct(C10_FLOOR_TOLERANCE)}), and never goes below it${valEnd !== null ? ` (validation ends at ${fmt(valEnd)})` : ''}: ` +
      'a model whose outputs are already probabilities, fed to a softmax cross-entropy, cannot fit the training data further.',
    tags: val ? [train.tag, val.tag] : [train.tag],
    steps: [from, to],
    evidence: {
      rule: 'double-softmax-floor',
      level,
      floor: at.floor,
      floorTolerance: C10_FLOOR_TOLERANCE,
      classes,
      classesFromMeta: at.ref.source === 'meta',
      lowestSmoothed: lowest,
      valEnd,
      points: n,
    },
    actions: [
      'check the output layer and the loss: a softmax (or sigmoid) output fed to CrossEntropyLoss / from_logits=True is a double softmax (M2); output raw logits',
      ...ACTIONS,
    ],
  });
}

/** Whether the run logs an accuracy (a tag whose last segment names `acc`, values in [0, 1] or [0, 100]): the loss is a classification loss. */
function logsAccuracy(ctx: CheckContext): boolean {
  for (const [tag, series] of ctx.run.scalars) {
    const leaf = tag.split(/[/.:]/).pop() ?? tag;
    if (!/acc/i.test(leaf) || series.values.length === 0) continue;
    const finite = series.values.filter((v) => Number.isFinite(v));
    if (finite.length > 0 && finite.every((v) => v >= 0 && v <= 100)) return true;
  }
  return false;
}

/** The chance level the share is measured against, and how it was established. */
interface ChanceRef {
  readonly value: number;
  readonly name: string;
  readonly how: 'meta' | 'start-at-chance' | 'sits-below-meta' | 'initial-loss';
  readonly classes: number | null;
  /** The metadata's class count, when the loss showed the data has fewer classes. */
  readonly metaClasses?: number;
}

/**
 * The chance level ln(C) the log establishes, or `null`:
 * - the class count in the metadata (C >= 3), unless a classifier's loss sits within 6% of a lower
 *   common ln(c) (c >= 3) right after its initial fall: a C-output classifier starts at ln(C) or above
 *   (M3) and its bias learns the class prior within the first updates, so sitting at ln(c) < ln(C) is
 *   the predict-the-prior level of data with c classes (the metadata names the output width, e.g. a
 *   default `num_classes: 200` left beside `dataset: cifar10`); ln(c) is then the level the data allows;
 * - a classifier (it logs an accuracy) whose curve starts within 6% of a common ln(C) (C >= 3);
 * - a classifier whose step-level curve is logged from the start of training: its initial loss is an
 *   upper bound of ln(C) (Jensen: a randomly initialised C-class softmax starts at ln(C) or above), so
 *   a share of the initial loss is a lower bound of the share of ln(C); it must be at least ln 3 (minus
 *   the 6%) to be a multi-class loss.
 */
function establishedChance(ctx: CheckContext, train: Curve, start: number, initial: number): ChanceRef | null {
  const refs = chanceLevels(ctx.run.meta).filter((r) => r.classes >= C10_MIN_CLASSES);
  const meta = refs.find((r) => r.source === 'meta');
  if (meta) {
    const lower = logsAccuracy(ctx) ? sitsEarlyAt(train.values, COMMON_CHANCE.filter((r) => r.classes >= C10_MIN_CLASSES && r.classes < meta.classes)) : null;
    if (lower) return { value: lower.value, name: lower.name, how: 'sits-below-meta', classes: lower.classes, metaClasses: meta.classes };
    return { value: meta.value, name: meta.name, how: 'meta', classes: meta.classes };
  }
  if (!logsAccuracy(ctx)) return null;
  const at = parkedAt(start, refs, C10_START_TOLERANCE);
  if (at) return { value: at.value, name: at.name, how: 'start-at-chance', classes: at.classes };
  const first = train.steps[0] as number;
  const span = (train.steps[train.steps.length - 1] as number) - first;
  const fromStart = train.unit === 'step' && first <= C10_INITIAL_STEP_SHARE * span;
  if (fromStart && initial >= Math.log(C10_MIN_CLASSES) * (1 - C10_START_TOLERANCE)) return { value: initial, name: 'its initial loss', how: 'initial-loss', classes: null };
  return null;
}

function chanceFinding(train: Curve, val: Curve, d: { steps: number[]; values: number[] }, ctx: CheckContext): Finding | null {
  const n = d.values.length;
  // A loss that does not move at all is C1's finding.
  if (flatness(d.values)?.flat) return null;
  // Epoch-level curves (under 30 points) are averages: their first point is the start; per-step ones are smoothed.
  const smoothedStart = n < 30 ? (d.values[0] as number) : (medianSmooth(d.values, Math.max(3, autoWindow(n)))[0] as number);
  // The first per-step value is the loss at initialisation, before a fast early fall pulls the smoothed start down.
  const initial = Math.max(d.values[0] as number, smoothedStart);
  const chance = establishedChance(ctx, train, smoothedStart, initial);
  if (!chance) return null;
  const end = median(d.values.slice(n - Math.max(1, Math.round(n * 0.1))));
  const share = end / chance.value;
  if (share < C10_CHANCE_SHARE) return null;
  const valEnd = median(val.values.slice(-Math.min(3, val.values.length)));
  const gap = (valEnd - end) / end;
  if (Math.abs(gap) > C10_CHANCE_GAP) return null;
  // Still clearly falling over the last 20% means "train longer" (C4), not "too little capacity".
  const fall = endFall(d.steps, d.values, C10_END_FRACTION);
  if (fall && fall.significant && fall.relativeDrop >= C10_END_FALL) return null;
  const from = train.steps[0] as number;
  const to = train.steps[train.steps.length - 1] as number;
  const refText =
    chance.how === 'meta'
      ? `the chance level ${chance.name} = ${fmt(chance.value)} (class count from the run metadata)`
      : chance.how === 'start-at-chance'
        ? `the chance level ${chance.name} = ${fmt(chance.value)} it started at (${fmt(smoothedStart)})`
        : chance.how === 'sits-below-meta'
          ? `the chance level ${chance.name} = ${fmt(chance.value)} it sat at after its initial fall (the metadata's ${chance.metaClasses} classes are more than the data has)`
          : `its initial loss ${fmt(chance.value)}, which a classifier starts at or above the chance level ln(C)`;
  return makeFinding(c10Underfitting, {
    severity: 'warning',
    message:
      `${train.tag} levels off at ${fmt(end)}, still ${(share * 100).toFixed(0)}% of ${refText} (threshold ${(C10_CHANCE_SHARE * 100).toFixed(0)}%), ` +
      `and validation ends right beside it at ${fmt(valEnd)} (${gap >= 0 ? '+' : ''}${(gap * 100).toFixed(1)}%, close within ${(C10_CHANCE_GAP * 100).toFixed(0)}%): the model underfits.`,
    tags: [train.tag, val.tag],
    steps: [from, to],
    evidence: {
      rule: 'chance-level',
      chanceLevel: chance.value,
      chanceFrom: chance.how,
      classes: chance.classes,
      metaClasses: chance.metaClasses ?? null,
      chanceShare: share,
      chanceShareThreshold: C10_CHANCE_SHARE,
      trainStart: smoothedStart,
      trainEnd: end,
      valEnd,
      gap,
      gapThreshold: C10_CHANCE_GAP,
      endFall: fall ? fall.relativeDrop : null,
      endFallThreshold: C10_END_FALL,
    },
    actions: ACTIONS,
  });
}

/**
 * C10 (warning), from >= 6 train points (a step-level curve spanning >= 100 steps unless its points
 * are epoch-level): the second half is flat within 3% of the double-softmax floor ln(1 + (C-1)/e)
 * (C >= 3) and the curve never goes below it; or the train loss levels off (last 20% not falling >= 3%
 * significantly) at >= 50% of ln(C) (C >= 3 from the metadata, unless the loss sits within 6% of a lower
 * common ln(c) right after its initial fall; or the loss started within 6% of ln(C))
 * with validation within 25%. A loss flat from the start is C1's.
 * @example
 * c10Underfitting.run(ctx)[0]?.evidence // { rule: 'chance-level', chanceShare: 0.7, gap: 0.02, ... }
 */
export const c10Underfitting: Check = {
  id: 'C10',
  title: 'Underfitting',
  severity: 'warning',
  kind: 'log',
  description: 'Train loss levels off high against a reference level (the chance level ln(C), or the floor of a double softmax) with validation close to it.',
  run(ctx): Finding[] {
    const train = ctx.curves.trainLoss;
    const val = ctx.curves.valLoss;
    if (!train || firstNonFinite(train.values) >= 0 || (val && firstNonFinite(val.values) >= 0)) return [];
    if (train.values.length < C10_MIN_POINTS) return [];
    if (tooYoung(train) && !epochLevelPoints(train, ctx.curves.epoch, ctx.run.scalars.get(train.tag))) return [];
    // Reference levels of a cross-entropy are positive: negative or zero losses are something else.
    if (!train.values.every((v) => v > 0) || (val && !val.values.every((v) => v > 0))) return [];
    const d = decimate(train.steps, train.values);
    const floor = floorFinding(train, val, d, ctx);
    if (floor) return [floor];
    if (!val || val.values.length < 2) return [];
    const chance = chanceFinding(train, val, d, ctx);
    return chance ? [chance] : [];
  },
};
