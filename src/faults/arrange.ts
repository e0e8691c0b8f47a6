/**
 * Arranges loaded examples the way a training config says: input scaling, training order, and the
 * seeded per-epoch order. Pure (typed arrays in, new typed arrays out); no tfjs.
 */
import type { DataConfig } from './config.js';
import { deriveSeed, permutation, seededRandom } from '../random/seeded.js';

/** Labelled examples, row-major: example i is `inputs[i * features .. (i + 1) * features)`. */
export interface Examples {
  readonly inputs: Float32Array;
  /** Class index of each example. */
  readonly labels: Uint8Array;
  readonly features: number;
  readonly classes: number;
}

/** Training and validation examples (disjoint). */
export interface DataSplit {
  readonly train: Examples;
  readonly validation: Examples;
}

/**
 * Applies `data.inputScale` to both splits (a forgotten normalisation affects every input), puts
 * the training examples in `data.order` (seeded shuffle, or sorted by label, ties in loading order)
 * and corrupts `data.labelNoise` of the training labels (seeded).
 * @example
 * const ready = arrangeData(split, healthyConfig().data, 1);
 * ready.train.labels // shuffled, reproducibly for seed 1
 */
export function arrangeData(split: DataSplit, data: DataConfig, seed: number): DataSplit {
  const n = split.train.labels.length;
  let order: Int32Array;
  if (data.order === 'sorted-by-label') {
    const idx = Array.from({ length: n }, (_, i) => i);
    idx.sort((a, b) => (split.train.labels[a] as number) - (split.train.labels[b] as number) || a - b);
    order = Int32Array.from(idx);
  } else {
    order = permutation(n, seed);
  }
  const train = take(split.train, order, data.inputScale);
  return { train: data.labelNoise ? withLabelNoise(train, data.labelNoise, seed) : train, validation: take(split.validation, null, data.inputScale) };
}

/** `examples` with `share` of its labels (a seeded choice) replaced by a different seeded random class. */
function withLabelNoise(examples: Examples, share: number, seed: number): Examples {
  const n = examples.labels.length;
  const labels = Uint8Array.from(examples.labels);
  const which = permutation(n, deriveSeed(seed, 7919));
  const random = seededRandom(deriveSeed(seed, 7920));
  for (let i = 0; i < Math.round(n * share); i++) {
    const at = which[i] as number;
    labels[at] = ((labels[at] as number) + 1 + Math.floor(random() * (examples.classes - 1))) % examples.classes;
  }
  return { ...examples, labels };
}

/**
 * The order in which epoch `epoch` visits the (arranged) training examples: a seeded permutation,
 * different every epoch, when `data.shuffleEachEpoch`; `null` (keep the arranged order) otherwise.
 * @example
 * epochOrder(3000, healthyConfig().data, 1, 0) // Int32Array(3000) [...]
 */
export function epochOrder(count: number, data: DataConfig, seed: number, epoch: number): Int32Array | null {
  return data.shuffleEachEpoch ? permutation(count, deriveSeed(seed, epoch + 1)) : null;
}

/**
 * Examples `order[0], order[1], ...` (all, in order, when `order` is null), inputs multiplied by `scale`.
 * @example
 * take(examples, Int32Array.from([2, 0]), 1).labels.length // 2
 */
export function take(examples: Examples, order: Int32Array | null, scale: number): Examples {
  const n = order ? order.length : examples.labels.length;
  const f = examples.features;
  const inputs = new Float32Array(n * f);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const src = order ? (order[i] as number) : i;
    labels[i] = examples.labels[src] as number;
    const row = examples.inputs.subarray(src * f, (src + 1) * f);
    if (scale === 1) inputs.set(row, i * f);
    else for (let j = 0; j < f; j++) inputs[i * f + j] = (row[j] as number) * scale;
  }
  return { inputs, labels, features: f, classes: examples.classes };
}
