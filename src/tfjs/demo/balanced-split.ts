/**
 * The balanced, deterministic train/validation split shared by the demo's image datasets: example k
 * of each class goes to validation for the first validation quota, then to training, in class order
 * (all of class 0, then class 1...). No randomness: the data order is the arranger's job
 * (`faults/arrange.ts`, seeded).
 */
import type { DataSplit, Examples } from '../../faults/arrange.js';

/** One class of a dataset: how many examples it has and example `k` as `features` values. */
export interface ClassSet {
  readonly length: number;
  get(k: number): ArrayLike<number>;
}

/** Examples per class for `total` examples: as even as possible, the first classes get the remainder. */
function perClass(total: number, classes: number): number[] {
  return Array.from({ length: classes }, (_, c) => Math.floor(total / classes) + (c < total % classes ? 1 : 0));
}

/**
 * `train` training and `validation` validation examples from `sets` (one per class), balanced over
 * the classes, values multiplied by `scale`; `name` prefixes error messages.
 * @example
 * balancedSplit('mnist', digitSets, 3000, 600, 784, 1).train.labels.length // 3000
 */
export function balancedSplit(name: string, sets: readonly ClassSet[], train: number, validation: number, features: number, scale: number): DataSplit {
  const classes = sets.length;
  if (!Number.isInteger(train) || !Number.isInteger(validation) || train < classes || validation < 0) {
    throw new RangeError(`${name}: expected at least ${classes} training examples and a non-negative validation count, got ${train} and ${validation}`);
  }
  const capacity = Math.min(...sets.map((d) => d.length)) * classes;
  if (train + validation > capacity) throw new RangeError(`${name}: ${train} + ${validation} examples asked for, the package has ${capacity} balanced examples`);
  const valCounts = perClass(validation, classes);
  const fill = (counts: number[], offset: (c: number) => number): Examples => {
    const n = counts.reduce((a, b) => a + b, 0);
    const inputs = new Float32Array(n * features);
    const labels = new Uint8Array(n);
    let row = 0;
    counts.forEach((count, c) => {
      const set = sets[c] as ClassSet;
      for (let k = 0; k < count; k++, row++) {
        const values = set.get(offset(c) + k);
        if (values.length !== features) throw new RangeError(`${name}: example ${offset(c) + k} of class ${c} has ${values.length} values, expected ${features}`);
        for (let j = 0; j < features; j++) inputs[row * features + j] = (values[j] as number) * scale;
        labels[row] = c;
      }
    });
    return { inputs, labels, features, classes };
  };
  return { validation: fill(valCounts, () => 0), train: fill(perClass(train, classes), (c) => valCounts[c] as number) };
}
