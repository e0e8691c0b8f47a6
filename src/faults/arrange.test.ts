import { describe, expect, it } from 'vitest';
import type { DataSplit, Examples } from './arrange.js';
import { arrangeData, epochOrder, take } from './arrange.js';
import { healthyConfig } from './config.js';
import { deriveSeed, permutation, seededRandom } from '../random/seeded.js';

/** `n` examples of 2 features, example i = [i, -i], labels cycling 0..classes-1. */
function examples(n: number, classes = 3): Examples {
  const inputs = new Float32Array(n * 2);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    inputs[2 * i] = i;
    inputs[2 * i + 1] = -i;
    labels[i] = i % classes;
  }
  return { inputs, labels, features: 2, classes };
}

const split = (): DataSplit => ({ train: examples(12), validation: examples(3) });

describe('seeded randomness', () => {
  it('repeats a sequence for a seed and differs between seeds', () => {
    const a = seededRandom(5);
    const b = seededRandom(5);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
    expect(seededRandom(6)()).not.toBe(xs[0]);
  });

  it('permutes 0..n-1 reproducibly', () => {
    const p = permutation(50, 3);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...permutation(50, 3)]).toEqual([...p]);
    expect([...permutation(50, 4)]).not.toEqual([...p]);
    expect(deriveSeed(1, 1)).not.toBe(deriveSeed(1, 2));
    expect(deriveSeed(1, 1)).not.toBe(deriveSeed(2, 1));
  });
});

describe('arrangeData', () => {
  it('shuffles the training examples with the seed, keeping inputs with their labels', () => {
    const data = healthyConfig().data;
    const a = arrangeData(split(), data, 1);
    const b = arrangeData(split(), data, 1);
    expect([...a.train.labels]).toEqual([...b.train.labels]);
    expect([...a.train.inputs]).toEqual([...b.train.inputs]);
    expect([...arrangeData(split(), data, 2).train.inputs]).not.toEqual([...a.train.inputs]);
    for (let i = 0; i < 12; i++) {
      const original = a.train.inputs[2 * i] as number;
      expect(a.train.inputs[2 * i + 1]).toBe(-original);
      expect(a.train.labels[i]).toBe(original % 3);
    }
    // Validation keeps its order.
    expect([...a.validation.inputs]).toEqual([...split().validation.inputs]);
  });

  it('sorts by label (stable) and scales every input, validation included', () => {
    const out = arrangeData(split(), { ...healthyConfig().data, order: 'sorted-by-label', inputScale: 255 }, 1);
    expect([...out.train.labels]).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect([...out.train.inputs].filter((_, i) => i % 2 === 0)).toEqual([0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11].map((x) => x * 255));
    expect([...out.validation.inputs]).toEqual([0, -0, 255, -255, 510, -510]);
  });

  it('leaves its input untouched', () => {
    const input = split();
    const before = [...input.train.inputs];
    arrangeData(input, { ...healthyConfig().data, inputScale: 255 }, 1);
    expect([...input.train.inputs]).toEqual(before);
  });
});

describe('epochOrder', () => {
  it('gives a different seeded permutation every epoch, or null without reshuffling', () => {
    const data = healthyConfig().data;
    const e0 = epochOrder(40, data, 1, 0);
    const e1 = epochOrder(40, data, 1, 1);
    expect(e0).not.toBeNull();
    expect([...(e0 as Int32Array)]).not.toEqual([...(e1 as Int32Array)]);
    expect([...(epochOrder(40, data, 1, 0) as Int32Array)]).toEqual([...(e0 as Int32Array)]);
    expect(epochOrder(40, { ...data, shuffleEachEpoch: false }, 1, 0)).toBeNull();
  });

  it('take() selects and scales rows', () => {
    const t = take(examples(4), Int32Array.from([3, 1]), 2);
    expect([...t.inputs]).toEqual([6, -6, 2, -2]);
    expect([...t.labels]).toEqual([0, 1]);
  });
});

describe('label noise', () => {
  it('gives exactly the asked share of training labels a different class, reproducibly, and leaves validation clean', () => {
    const clean = arrangeData({ train: examples(100, 10), validation: examples(20, 10) }, healthyConfig().data, 3);
    const noisy = arrangeData({ train: examples(100, 10), validation: examples(20, 10) }, { ...healthyConfig().data, labelNoise: 0.4 }, 3);
    const changed = Array.from(noisy.train.labels).filter((l, i) => l !== clean.train.labels[i]).length;
    expect(changed).toBe(40);
    expect(Array.from(noisy.train.inputs)).toEqual(Array.from(clean.train.inputs));
    expect(Array.from(noisy.validation.labels)).toEqual(Array.from(clean.validation.labels));
    const again = arrangeData({ train: examples(100, 10), validation: examples(20, 10) }, { ...healthyConfig().data, labelNoise: 0.4 }, 3);
    expect(Array.from(again.train.labels)).toEqual(Array.from(noisy.train.labels));
    for (const l of noisy.train.labels) expect(l).toBeLessThan(10);
  });
});
