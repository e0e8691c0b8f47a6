import { describe, expect, it } from 'vitest';
import { loadMnist } from './mnist.js';
import { FASHION_FEATURES, loadFashionMnist } from './fashion-mnist.js';

describe('loadFashionMnist', () => {
  const { train, validation } = loadFashionMnist(105, 20);

  it('returns flattened 28x28 images in [0, 1], balanced, in class order, disjoint from validation', () => {
    expect(train.inputs.length).toBe(105 * FASHION_FEATURES);
    expect(validation.labels.length).toBe(20);
    expect(Math.min(...train.inputs)).toBe(0);
    expect(Math.max(...train.inputs)).toBe(1);
    expect(Array.from({ length: 10 }, (_, c) => train.labels.filter((l) => l === c).length)).toEqual([11, 11, 11, 11, 11, 10, 10, 10, 10, 10]);
    const row = (x: Float32Array, i: number): string => x.subarray(i * 784, (i + 1) * 784).join(',');
    const seen = new Set(Array.from({ length: 105 }, (_, i) => row(train.inputs, i)));
    for (let i = 0; i < 20; i++) expect(seen.has(row(validation.inputs, i))).toBe(false);
  });

  it('is a different dataset from MNIST (clothes, not digits)', () => {
    const digits = loadMnist(105, 20).train.inputs;
    let diff = 0;
    for (let i = 0; i < digits.length; i++) diff += Math.abs((digits[i] as number) - (train.inputs[i] as number));
    expect(diff / digits.length).toBeGreaterThan(0.1);
  });

  it('serves a later, smaller or larger request with the same examples (kept between calls, re-read for more)', () => {
    const bigger = loadFashionMnist(305, 20);
    const again = loadFashionMnist(105, 20);
    expect(Array.from(again.train.inputs)).toEqual(Array.from(train.inputs));
    expect(Array.from(bigger.validation.inputs)).toEqual(Array.from(validation.inputs));
  });

  it('refuses more examples than the package has', () => {
    expect(() => loadFashionMnist(70_000, 10)).toThrow(/fashion-mnist: 70000 \+ 10 examples asked for/);
  });
});
