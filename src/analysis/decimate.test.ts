import { describe, expect, it } from 'vitest';
import { decimate } from './decimate.js';

describe('decimate', () => {
  it('returns short curves as they are', () => {
    expect(decimate([0, 1, 2], [3, 2, 1], 10)).toEqual({ steps: [0, 1, 2], values: [3, 2, 1], binSize: 1 });
  });
  it('reduces long curves to bin medians, keeping the first and last steps', () => {
    const steps = Array.from({ length: 10 }, (_, i) => i * 10);
    const d = decimate(steps, [5, 5, 100, 4, 4, 4, 3, 3, 3, 2], 4);
    expect(d.binSize).toBe(3);
    expect(d.values).toEqual([5, 4, 3, 2]);
    expect(d.steps).toEqual([0, 40, 70, 90]);
  });
});
