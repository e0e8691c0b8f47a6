import { describe, expect, it } from 'vitest';
import { MNIST_CLASSES, MNIST_FEATURES, loadMnist, mnistCapacity } from './mnist.js';

function rowKey(inputs: Float32Array, i: number): string {
  return Array.from(inputs.subarray(i * MNIST_FEATURES, (i + 1) * MNIST_FEATURES)).join(',');
}

describe('loadMnist', () => {
  const { train, validation } = loadMnist(205, 50);

  it('returns flattened 28x28 digits in [0, 1], balanced over the classes, in class order', () => {
    expect(train.features).toBe(784);
    expect(train.classes).toBe(10);
    expect(train.inputs.length).toBe(205 * 784);
    expect(train.labels.length).toBe(205);
    expect(validation.labels.length).toBe(50);
    let min = Infinity;
    let max = -Infinity;
    for (const v of train.inputs) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    const counts = Array.from({ length: MNIST_CLASSES }, (_, c) => train.labels.filter((l) => l === c).length);
    expect(counts).toEqual([21, 21, 21, 21, 21, 20, 20, 20, 20, 20]);
    expect([...train.labels]).toEqual([...train.labels].sort((a, b) => a - b));
  });

  it('keeps training and validation digits disjoint and loads the same digits every time', () => {
    const seen = new Set(Array.from({ length: 205 }, (_, i) => rowKey(train.inputs, i)));
    for (let i = 0; i < 50; i++) expect(seen.has(rowKey(validation.inputs, i))).toBe(false);
    expect(rowKey(loadMnist(205, 50).train.inputs, 7)).toBe(rowKey(train.inputs, 7));
  });

  it('refuses impossible sizes with a message saying what is available', () => {
    expect(mnistCapacity()).toBe(8630);
    expect(() => loadMnist(8000, 1000)).toThrow(/8630 balanced examples/);
    expect(() => loadMnist(5, 10)).toThrow(RangeError);
  });
});
