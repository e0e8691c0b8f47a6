import { describe, expect, it } from 'vitest';
import { oscillations } from './swings.js';

describe('oscillations', () => {
  it('counts complete up-and-down swings of at least the height', () => {
    expect(oscillations([0, 1, 0, 1, 0, 1], 0.5)).toHaveLength(2);
    expect(oscillations([1, 0, 1, 0], 0.5)).toEqual([{ low: 1, high: 2, rise: 1 }]);
  });
  it('ignores wiggles below the height and monotone moves', () => {
    expect(oscillations([0, 0.2, 0, 0.2, 0], 0.5)).toEqual([]);
    expect(oscillations([3, 2, 1, 0], 0.5)).toEqual([]);
    expect(oscillations([0, 1, 2, 3], 0.5)).toEqual([]);
  });
});
