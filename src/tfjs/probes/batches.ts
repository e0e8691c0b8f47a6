/**
 * Row access for the data probes: every named tensor of the data, seeded permutations and samples,
 * and chunked reads of large tensors (row gathers and the seeded PRNG are in `probe-kit.ts`).
 * Nothing here modifies or disposes the caller's tensors.
 */
import * as tf from '@tensorflow/tfjs';
import type { ProbeData } from './probe.js';
import { asArray, rng } from './probe-kit.js';

/** Elements per row of `t` (product of the non-batch dimensions). */
export function rowSize(t: tf.Tensor): number {
  return t.shape.slice(1).reduce((a, b) => a * b, 1);
}

/** The named tensors of a probe's data: `x`, `y`, `xVal`... with an index suffix for multi-tensor lists. */
export interface NamedTensor {
  /** `x`, `y`, `xVal`, `x[1]`... */
  readonly name: string;
  readonly split: 'train' | 'val' | 'test';
  readonly role: 'input' | 'target';
  readonly tensor: tf.Tensor;
}

const SPLITS = [
  ['x', 'train', 'input'],
  ['y', 'train', 'target'],
  ['xVal', 'val', 'input'],
  ['yVal', 'val', 'target'],
  ['xTest', 'test', 'input'],
  ['yTest', 'test', 'target'],
] as const;

/**
 * Every tensor of `data`, named as in {@link ProbeData}.
 * @example
 * namedTensors(ctx.data).map((t) => t.name) // ['x', 'y', 'xVal', 'yVal']
 */
export function namedTensors(data: ProbeData): NamedTensor[] {
  const out: NamedTensor[] = [];
  for (const [key, split, role] of SPLITS) {
    const value = data[key];
    const list = value === undefined ? [] : asArray(value);
    list.forEach((tensor, i) => out.push({ name: list.length > 1 ? `${key}[${i}]` : key, split, role, tensor }));
  }
  return out;
}

/**
 * Standard normal draws from a uniform source (Box-Muller).
 * @example
 * const normal = seededNormal(rng(1)); normal()
 */
export function seededNormal(rand: () => number): () => number {
  return () => {
    const u = Math.max(rand(), Number.MIN_VALUE);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
}

/**
 * A seeded random permutation of 0..n-1 (Fisher-Yates).
 * @example
 * permutation(5, 1) // e.g. [3, 0, 4, 1, 2]
 */
export function permutation(n: number, seed: number): number[] {
  const rand = rng(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}

/**
 * `k` distinct row indices out of `n`, chosen with `seed`, in ascending order (all rows when k >= n).
 * @example
 * sampleRows(1000, 64, ctx.seed)
 */
export function sampleRows(n: number, k: number, seed: number): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  return permutation(n, seed)
    .slice(0, Math.max(0, k))
    .sort((a, b) => a - b);
}

/**
 * Reads `t` in chunks of at most `chunkRows` rows, calling `fn` with each chunk's values (row-major,
 * float32 or int32) and its first row; stops early when `fn` returns `false`. Returns the rows read.
 * Reading in chunks keeps memory bounded on large datasets.
 * @example
 * forEachRowChunk(x, 4096, (values, firstRow, rows) => { ...; return !clock.over(); });
 */
export function forEachRowChunk(
  t: tf.Tensor,
  chunkRows: number,
  fn: (values: Float32Array | Int32Array | Uint8Array, firstRow: number, rows: number) => boolean | void,
): number {
  const n = t.shape[0] ?? 1;
  if (t.rank === 0) {
    const values = t.dataSync() as Float32Array;
    fn(values, 0, 1);
    return 1;
  }
  const step = Math.max(1, Math.floor(chunkRows));
  for (let start = 0; start < n; start += step) {
    const rows = Math.min(step, n - start);
    const chunk = start === 0 && rows === n ? null : tf.slice(t, start, rows);
    const values = (chunk ?? t).dataSync() as Float32Array | Int32Array | Uint8Array;
    chunk?.dispose();
    if (fn(values, start, rows) === false) return start + rows;
  }
  return n;
}

/**
 * Rows per chunk so that one chunk holds about `elements` values.
 * @example
 * forEachRowChunk(x, chunkRowsFor(x), ...)
 */
export function chunkRowsFor(t: tf.Tensor, elements = 1 << 20): number {
  return Math.max(1, Math.floor(elements / Math.max(1, rowSize(t))));
}
