/**
 * Reference levels of a loss: where a cross-entropy loss sits when the model predicts uniformly at
 * chance, ln(C) for C classes (ln 2 = 0.693 for binary, ln 10 = 2.303 for 10 classes). A curve parked
 * at such a level has learned nothing, even if it wiggles.
 */
import type { MetaValue } from '../telemetry/run.js';

/** A chance level and where the class count came from. */
export interface ReferenceLevel {
  /** Human name, e.g. `ln(10)`. */
  readonly name: string;
  readonly value: number;
  readonly classes: number;
  /** `meta` when the run's hyper-parameters name the class count, `guess` for common counts. */
  readonly source: 'meta' | 'guess';
}

/** Class counts common enough to recognise from the loss level alone. */
export const COMMON_CLASS_COUNTS: readonly number[] = [2, 3, 4, 5, 10, 100, 1000];
/** Meta keys (last path segment, lower case) that name the number of classes directly. */
const CLASS_KEYS = new Set(['num_classes', 'n_classes', 'nb_classes', 'num_labels', 'n_labels', 'numclasses', 'classes']);
/** Keys that name an output width, used only when the run says it is a classification. */
const OUTPUT_KEYS = new Set(['output_dim', 'out_features', 'num_outputs', 'n_outputs']);
const MAX_CLASSES = 1_000_000;

/**
 * The class count a run's metadata states, or `null`: `num_classes`/`num_labels`-like keys, or an
 * output width when the loss or task says classification (`CrossEntropyLoss`, `task: classification`).
 * @example
 * classesFromMeta(new Map([['output_dim', 7], ['loss', 'CrossEntropyLoss']])) // 7
 */
export function classesFromMeta(meta: ReadonlyMap<string, MetaValue>): number | null {
  let output: number | null = null;
  let classification = false;
  for (const [key, value] of meta) {
    const leaf = (key.split(/[./:]/).pop() ?? key).toLowerCase();
    if (typeof value === 'string' && /^(loss|task|criterion|objective|problem_type)$/.test(leaf)) {
      if (/cross.?entropy|nll|classif|softmax|logloss/i.test(value)) classification = true;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 2 || value > MAX_CLASSES) continue;
    if (CLASS_KEYS.has(leaf)) return value;
    if (OUTPUT_KEYS.has(leaf)) output = value;
  }
  return classification ? output : null;
}

/**
 * Chance levels to compare a loss with: only ln(C) when the metadata names the class count C,
 * otherwise the common counts (a guess from the level itself).
 * @example
 * chanceLevels(new Map()).map((r) => r.name)                    // ['ln(2)', 'ln(3)', ..., 'ln(1000)']
 * chanceLevels(new Map([['num_classes', 7]])).map((r) => r.name) // ['ln(7)']
 */
export function chanceLevels(meta: ReadonlyMap<string, MetaValue>): ReferenceLevel[] {
  const fromMeta = classesFromMeta(meta);
  if (fromMeta !== null) return [{ name: `ln(${fromMeta})`, value: Math.log(fromMeta), classes: fromMeta, source: 'meta' }];
  return COMMON_CLASS_COUNTS.map((c) => ({ name: `ln(${c})`, value: Math.log(c), classes: c, source: 'guess' as const }));
}

/**
 * The nearest reference level `level` is parked at (relative distance at most `tolerance`), or `null`.
 * @example
 * parkedAt(2.31, chanceLevels(new Map()), 0.03)?.name // 'ln(10)'
 */
export function parkedAt(level: number, refs: readonly ReferenceLevel[], tolerance: number): ReferenceLevel | null {
  if (!Number.isFinite(level)) return null;
  let best: ReferenceLevel | null = null;
  for (const ref of refs) {
    const dist = Math.abs(level - ref.value) / ref.value;
    if (dist <= tolerance && (best === null || dist < Math.abs(level - best.value) / best.value)) best = ref;
  }
  return best;
}

/**
 * The chance level a loss that starts at `start` can be parked at: the highest reference at or below
 * the start (up to `tolerance` above it), or `null`. A 10-class cross-entropy starts at ln 10 = 2.30 or
 * above (M3); a curve that starts there and ends at ln 4 learned something, it is not at chance.
 * @example
 * chanceForStart(3.2, chanceLevels(new Map()), 0.06)?.name // 'ln(10)'
 * chanceForStart(0.5, chanceLevels(new Map()), 0.06)        // null
 */
export function chanceForStart(start: number, refs: readonly ReferenceLevel[], tolerance: number): ReferenceLevel | null {
  let best: ReferenceLevel | null = null;
  for (const r of refs) if (r.value <= start * (1 + tolerance) && (best === null || r.value > best.value)) best = r;
  return best;
}

/**
 * The lowest loss a C-class softmax cross-entropy reaches when its inputs are already probabilities
 * (a softmax applied twice, M2): with p = (1, 0, ..., 0) the loss is -1 + ln(e + C - 1) = ln(1 + (C-1)/e),
 * 1.461 for 10 classes, 0.551 for 3, 0.313 for binary. A loss parked there has hit the wiring, not the data.
 * @example
 * doubleSoftmaxFloor(10) // 1.4612
 */
export function doubleSoftmaxFloor(classes: number): number {
  return Math.log(1 + (classes - 1) / Math.E);
}
