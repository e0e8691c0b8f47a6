/**
 * What a loss expects of its targets, and the targets read as classes or values: the shared
 * vocabulary of the label, init and loss probes (D3, D4, D7, M2, M3, M4).
 */
import * as tf from '@tensorflow/tfjs';
import type { Deadline } from './probe-kit.js';
import { normaliseLoss } from './probe-kit.js';
import type { TrainingSpec } from './probe.js';
import { chunkRowsFor, forEachRowChunk } from './batches.js';

/** How a loss reads targets: class indices, one-hot rows, per-unit 0/1, or real values. */
export type LossFamily = 'categorical' | 'sparse' | 'binary' | 'regression' | 'other';

const FAMILIES: Record<string, LossFamily> = {
  categoricalCrossentropy: 'categorical',
  sparseCategoricalCrossentropy: 'sparse',
  binaryCrossentropy: 'binary',
  meanSquaredError: 'regression',
  meanAbsoluteError: 'regression',
  huber: 'regression',
  logcosh: 'regression',
  meanSquaredLogarithmicError: 'regression',
  meanAbsolutePercentageError: 'regression',
};

/**
 * The family of a Keras/TF.js loss name (any spelling `normaliseLoss` accepts; the first loss of a
 * comma-separated per-output list).
 * @example
 * lossFamily('categorical_crossentropy') // 'categorical'
 */
export function lossFamily(loss: string): LossFamily {
  return FAMILIES[normaliseLoss(loss.split(',')[0] ?? loss)] ?? 'other';
}

/** Whether the loss is one of the cross-entropies. */
export const isCrossEntropy = (family: LossFamily): boolean => family === 'categorical' || family === 'sparse' || family === 'binary';

/**
 * The last dimension of a model output (units of the final layer), or `null` when unknown.
 * @example
 * outputUnits(model) // 10
 */
export function outputUnits(model: tf.LayersModel, output = 0): number | null {
  const shape = model.outputs[output]?.shape;
  const last = shape?.[shape.length - 1];
  return typeof last === 'number' ? last : null;
}

/** Targets read as one class per row. */
export interface ClassTargets {
  readonly kind: 'classes';
  /** How the classes were read: `index` = integer labels, `onehot` = argmax of rows, `binary` = 0/1 (rounded). */
  readonly encoding: 'index' | 'onehot' | 'binary';
  /** Class per row (-1 when the row is not a valid label). */
  readonly labels: Int32Array;
  /** Rows per class (classes 0..numClasses-1). */
  readonly counts: readonly number[];
  readonly numClasses: number;
}

/** Targets read as real values (regression, multi-label). */
export interface ValueTargets {
  readonly kind: 'values';
  readonly rows: number;
  /** Values per row (product of the non-batch dimensions). */
  readonly cols: number;
  readonly values: Float32Array;
}

export type TargetView = ClassTargets | ValueTargets;

/** Most rows read for a label view (the whole set for all but huge datasets). */
const MAX_TARGET_ROWS = 1_000_000;

/**
 * Reads `y` the way `family` uses it: class indices for sparse/categorical/single-unit binary losses
 * (argmax when rows have several columns), values otherwise. `units` (model output width) sets the
 * class count when known.
 * @example
 * const view = readTargets(y, 'sparse', 10);
 * if (view.kind === 'classes') view.counts // [12, 9, ...]
 */
export function readTargets(y: tf.Tensor, family: LossFamily, units: number | null, deadline?: Deadline): TargetView {
  const rows = Math.min(y.rank === 0 ? 1 : (y.shape[0] as number), MAX_TARGET_ROWS);
  const cols = y.shape.slice(1).reduce((a, b) => a * b, 1);
  const values = new Float32Array(rows * cols);
  let filled = 0;
  const slice = rows < (y.shape[0] ?? 1) ? tf.slice(y, 0, rows) : y;
  forEachRowChunk(slice, chunkRowsFor(slice), (chunk) => {
    values.set(chunk, filled);
    filled += chunk.length;
    return !(deadline?.over() ?? false);
  });
  if (slice !== y) slice.dispose();
  const readRows = Math.floor(filled / Math.max(1, cols));
  const vals = values.subarray(0, readRows * cols);
  const classy = family === 'sparse' || family === 'categorical' || (family === 'binary' && cols === 1);
  if (!classy) return { kind: 'values', rows: readRows, cols, values: vals };
  const labels = new Int32Array(readRows);
  let encoding: ClassTargets['encoding'];
  if (cols > 1) {
    encoding = 'onehot';
    for (let r = 0; r < readRows; r++) {
      let best = 0;
      let bestV = Number.NEGATIVE_INFINITY;
      let finite = true;
      for (let c = 0; c < cols; c++) {
        const v = vals[r * cols + c] as number;
        if (!Number.isFinite(v)) finite = false;
        if (v > bestV) {
          bestV = v;
          best = c;
        }
      }
      labels[r] = finite ? best : -1;
    }
  } else {
    encoding = family === 'binary' ? 'binary' : 'index';
    for (let r = 0; r < readRows; r++) {
      const v = vals[r] as number;
      const k = family === 'binary' ? Math.round(v) : v;
      labels[r] = Number.isInteger(k) && k >= 0 && k < 1e7 ? k : -1;
    }
  }
  let maxLabel = -1;
  for (const l of labels) if (l > maxLabel) maxLabel = l;
  const fromData = cols > 1 ? cols : maxLabel + 1;
  const numClasses = Math.max(family === 'binary' ? 2 : units !== null && units > 1 ? units : 0, fromData, 1);
  const counts = new Array<number>(numClasses).fill(0);
  for (const l of labels) if (l >= 0 && l < numClasses) counts[l] = (counts[l] as number) + 1;
  return { kind: 'classes', encoding, labels, counts, numClasses };
}

/**
 * Per-column mean and variance of value targets.
 * @example
 * columnMoments(view) // { mean: [0.1], variance: [2.3] }
 */
export function columnMoments(view: ValueTargets): { mean: number[]; variance: number[] } {
  const mean = new Array<number>(view.cols).fill(0);
  const variance = new Array<number>(view.cols).fill(0);
  const n = new Array<number>(view.cols).fill(0);
  for (let r = 0; r < view.rows; r++) {
    for (let c = 0; c < view.cols; c++) {
      const v = view.values[r * view.cols + c] as number;
      if (!Number.isFinite(v)) continue;
      n[c] = (n[c] as number) + 1;
      mean[c] = (mean[c] as number) + v;
    }
  }
  for (let c = 0; c < view.cols; c++) mean[c] = (n[c] as number) > 0 ? (mean[c] as number) / (n[c] as number) : Number.NaN;
  for (let r = 0; r < view.rows; r++) {
    for (let c = 0; c < view.cols; c++) {
      const v = view.values[r * view.cols + c] as number;
      if (Number.isFinite(v)) variance[c] = (variance[c] as number) + (v - (mean[c] as number)) ** 2;
    }
  }
  for (let c = 0; c < view.cols; c++) variance[c] = (n[c] as number) > 0 ? (variance[c] as number) / (n[c] as number) : Number.NaN;
  return { mean, variance };
}

/**
 * Targets shaped like the model outputs, for training a clone compiled with nndoctor's own loss
 * functions (TF.js checks target shapes against output shapes unless the loss is its built-in sparse
 * cross-entropy): sparse class indices become one-hot rows (and the spec's loss the categorical one),
 * `[n]` targets of a 1-unit output become `[n, 1]`. Returns new tensors (the caller disposes them).
 * @example
 * const t = trainingTargets(model, ys, ctx.training); compileProbe(clone, t.spec); ...; tf.dispose(t.y);
 */
export function trainingTargets(model: tf.LayersModel, y: readonly tf.Tensor[], spec: TrainingSpec): { y: tf.Tensor[]; spec: TrainingSpec } {
  const sparse = lossFamily(spec.loss) === 'sparse' && model.outputs.length === 1;
  const out = y.map((t, i) =>
    tf.tidy(() => {
      const shape = model.outputs[i]?.shape ?? model.outputs[0]?.shape;
      const units = shape?.[shape.length - 1];
      if (sparse && typeof units === 'number') return tf.oneHot(tf.cast(tf.floor(tf.reshape(t, [-1])), 'int32'), units).toFloat();
      if (shape && typeof units === 'number' && t.size === (t.shape[0] ?? 1) * units && t.shape.length !== shape.length) return tf.reshape(t, [t.shape[0] ?? 1, ...shape.slice(1).map((d) => d ?? 1)]).toFloat();
      return t.toFloat();
    }),
  );
  return { y: out, spec: sparse ? { ...spec, loss: 'categoricalCrossentropy' } : spec };
}
