import { describe, expect, it } from 'vitest';
import { seeded } from '../test-support/runs.js';
import { diffNoise, firstDifferences, movingAverage, residual } from './noise.js';

describe('noise', () => {
  it('differences finite values', () => {
    expect(firstDifferences([1, 3, NaN, 6])).toEqual([2, 3]);
  });
  it('estimates per-point noise regardless of a linear trend', () => {
    const r = seeded(1);
    // Uniform noise in [-0.1, 0.1] has std 0.0577.
    const values = Array.from({ length: 2000 }, (_, i) => 5 - i * 0.01 + 0.2 * (r() - 0.5));
    expect(diffNoise(values)).toBeGreaterThan(0.045);
    expect(diffNoise(values)).toBeLessThan(0.07);
  });
  it('moving average shrinks at the edges and removes a period-sized wiggle', () => {
    expect(movingAverage([1, 2, 3, 4, 5], 3)).toEqual([1.5, 2, 3, 4, 4.5]);
    const wave = Array.from({ length: 40 }, (_, i) => [1, -1, 1, -1, 0][i % 5] as number);
    expect(Math.abs(movingAverage(wave, 5)[20] as number)).toBeLessThan(1e-12);
    expect(residual([1, 5, 1], [2, 2, 2])).toEqual([-1, 3, -1]);
  });
});
