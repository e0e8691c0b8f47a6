import { describe, expect, it } from 'vitest';
import { binnedMeans, blockMeans, rescaleSteps } from './resample.js';

describe('resample', () => {
  it('averages source points between target steps', () => {
    expect(binnedMeans([0, 1, 2, 3, 4, 5], [6, 5, 4, 3, 2, 1], [2, 5])).toEqual([5, 2]);
  });
  it('carries the last value into empty bins and skips NaN', () => {
    expect(binnedMeans([0, 10], [1, NaN], [0, 5, 10, 20])).toEqual([1, 1, 1, 1]);
    expect(binnedMeans([5], [1], [0])).toEqual([NaN]);
  });
  it('rescales steps onto another range', () => {
    expect(rescaleSteps([0, 50, 100], [0, 10])).toEqual([0, 5, 10]);
  });
  it('block-averages long series', () => {
    expect(blockMeans([0, 1, 2, 3], [1, 3, 5, 7], 2)).toEqual({ steps: [0.5, 2.5], values: [2, 6] });
  });
});
