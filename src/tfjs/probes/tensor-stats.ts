/**
 * Statistics of data tensors computed in float64 on the CPU, chunk by chunk: per-feature (last-axis)
 * mean/std/min/max, non-finite counts, and number formatting for evidence.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Deadline } from './probe-kit.js';
import { chunkRowsFor, forEachRowChunk } from './batches.js';

/** Rounds to 4 significant digits for evidence (non-finite values pass through). */
export const round = (x: number, digits = 4): number => (Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(digits)) : x);

/** Formats a share as a percentage, e.g. `12.5%`. */
export const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** Statistics of one feature (one index of the last axis) over the finite values seen. */
export interface FeatureStats {
  readonly count: number;
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  readonly nonFinite: number;
}

/** Per-feature statistics of a tensor. */
export interface TensorStats {
  /** One entry per index of the last axis (a single feature for rank <= 1). */
  readonly features: readonly FeatureStats[];
  /** Rows actually read (fewer than the tensor's when the deadline passed). */
  readonly rowsRead: number;
  readonly rows: number;
}

/**
 * Per-feature statistics over the last axis of `t` (pixels of an image reduce to channels; a table
 * reduces to columns), ignoring non-finite values (they are counted). Stops when `deadline` is over.
 * @example
 * const { features } = featureStats(x); features[0].mean
 */
export function featureStats(t: tf.Tensor, deadline?: Deadline): TensorStats {
  const f = t.rank <= 1 ? 1 : (t.shape[t.rank - 1] as number);
  const count = new Float64Array(f);
  const mean = new Float64Array(f);
  const m2 = new Float64Array(f);
  const min = new Float64Array(f).fill(Number.POSITIVE_INFINITY);
  const max = new Float64Array(f).fill(Number.NEGATIVE_INFINITY);
  const bad = new Float64Array(f);
  const rows = t.rank === 0 ? 1 : (t.shape[0] as number);
  const rowsRead = forEachRowChunk(t, chunkRowsFor(t), (values) => {
    // Chunked sums (then merged, Chan et al.) keep float64 accuracy and are fast.
    const rows = Math.floor(values.length / f);
    const cs = new Float64Array(f);
    const cc = new Float64Array(f);
    for (let r = 0, i = 0; r < rows; r++) {
      for (let j = 0; j < f; j++, i++) {
        const v = values[i] as number;
        if (v - v !== 0) {
          // NaN or +-Inf
          bad[j] = (bad[j] as number) + 1;
          continue;
        }
        cs[j] = (cs[j] as number) + v;
        cc[j] = (cc[j] as number) + 1;
        if (v < (min[j] as number)) min[j] = v;
        if (v > (max[j] as number)) max[j] = v;
      }
    }
    const cm = new Float64Array(f);
    for (let j = 0; j < f; j++) cm[j] = (cc[j] as number) > 0 ? (cs[j] as number) / (cc[j] as number) : 0;
    const cq = new Float64Array(f);
    for (let r = 0, i = 0; r < rows; r++) {
      for (let j = 0; j < f; j++, i++) {
        const v = values[i] as number;
        if (v - v !== 0) continue;
        const d = v - (cm[j] as number);
        cq[j] = (cq[j] as number) + d * d;
      }
    }
    for (let j = 0; j < f; j++) {
      const nb = cc[j] as number;
      if (nb === 0) continue;
      const na = count[j] as number;
      const delta = (cm[j] as number) - (mean[j] as number);
      const tot = na + nb;
      mean[j] = (mean[j] as number) + (delta * nb) / tot;
      m2[j] = (m2[j] as number) + (cq[j] as number) + (delta * delta * na * nb) / tot;
      count[j] = tot;
    }
    return !(deadline?.over() ?? false);
  });
  const features: FeatureStats[] = [];
  for (let j = 0; j < f; j++) {
    const c = count[j] as number;
    features.push({
      count: c,
      mean: c > 0 ? (mean[j] as number) : Number.NaN,
      std: c > 0 ? Math.sqrt((m2[j] as number) / c) : Number.NaN,
      min: c > 0 ? (min[j] as number) : Number.NaN,
      max: c > 0 ? (max[j] as number) : Number.NaN,
      nonFinite: bad[j] as number,
    });
  }
  return { features, rowsRead, rows };
}

/** Where the non-finite values of a tensor are. */
export interface NonFiniteScan {
  readonly nan: number;
  readonly inf: number;
  /** Row of the first non-finite value, -1 when none. */
  readonly firstRow: number;
  /** Flat index within that row, -1 when none. */
  readonly firstOffset: number;
  /** Distinct rows containing a non-finite value. */
  readonly badRows: number;
  readonly rowsRead: number;
}

/**
 * Counts NaN and +-Inf values in `t` (all rows, or until `deadline` is over).
 * @example
 * nonFiniteScan(y).nan // 3
 */
export function nonFiniteScan(t: tf.Tensor, deadline?: Deadline): NonFiniteScan {
  let nan = 0;
  let inf = 0;
  let firstRow = -1;
  let firstOffset = -1;
  let badRows = 0;
  if (t.dtype !== 'float32' && t.dtype !== 'complex64') {
    return { nan, inf, firstRow, firstOffset, badRows, rowsRead: t.shape[0] ?? 1 };
  }
  const rowLen = Math.max(1, t.shape.slice(1).reduce((a, b) => a * b, 1));
  const rowsRead = forEachRowChunk(t, chunkRowsFor(t), (values, start) => {
    let lastBadRow = -1;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (Number.isFinite(v)) continue;
      if (Number.isNaN(v)) nan++;
      else inf++;
      const row = start + Math.floor(i / rowLen);
      if (firstRow < 0) {
        firstRow = row;
        firstOffset = i % rowLen;
      }
      if (row !== lastBadRow) {
        badRows++;
        lastBadRow = row;
      }
    }
    return !(deadline?.over() ?? false);
  });
  return { nan, inf, firstRow, firstOffset, badRows, rowsRead };
}

/**
 * Mean and (population) standard deviation of plain numbers.
 * @example
 * meanStd([1, 2, 3]) // { mean: 2, std: 0.816 }
 */
export function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i] as number;
  const mean = s / n;
  let q = 0;
  for (let i = 0; i < n; i++) q += ((values[i] as number) - mean) ** 2;
  return { mean, std: Math.sqrt(q / n) };
}

/**
 * A multi-index string for a flat offset within a row of shape `rowShape`, e.g. `[3, 1]`.
 * @example
 * offsetToIndex(7, [2, 4]) // '[1, 3]'
 */
export function offsetToIndex(offset: number, rowShape: readonly number[]): string {
  const idx: number[] = [];
  let rest = offset;
  for (let d = rowShape.length - 1; d >= 0; d--) {
    const size = rowShape[d] as number;
    idx.unshift(rest % size);
    rest = Math.floor(rest / size);
  }
  return `[${idx.join(', ')}]`;
}
