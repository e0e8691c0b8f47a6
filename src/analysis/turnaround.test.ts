import { describe, expect, it } from 'vitest';
import { turnaround } from './turnaround.js';

describe('turnaround', () => {
  it('finds the minimum and the rise since', () => {
    const t = turnaround([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [2, 1.5, 1.2, 1, 0.9, 0.95, 1, 1.1, 1.15, 1.2]);
    expect(t?.bestStep).toBe(4);
    expect(t?.minStep).toBeGreaterThanOrEqual(3);
    expect(t?.rise).toBeGreaterThan(0.1);
    expect(t?.pointsAfter).toBeGreaterThan(3);
  });
  it('ignores a wild first evaluation and a single low outlier', () => {
    const t = turnaround([0, 1, 2, 3, 4, 5, 6, 7], [0.1, 2, 1.8, 0.2, 1.6, 1.5, 1.4, 1.3]);
    expect(t?.minStep).toBe(7);
    expect(t?.bestStep).toBe(3);
    expect(t?.rise).toBe(0);
  });
  it('needs 3 finite points', () => {
    expect(turnaround([0, 1, 2], [1, NaN, 2])).toBeNull();
  });
});
