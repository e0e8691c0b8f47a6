import { describe, expect, it } from 'vitest';
import { curve } from '../test-support/runs.js';
import { levelShift } from './level-shift.js';

describe('levelShift', () => {
  it('finds no significant shift in per-batch noise around one level', () => {
    const s = levelShift([1.757, 0.6945, 0.6343, 0.7767, 1.163, 0.5758, 0.3178, 0.4269, 0.8431, 2.323, 0.8176, 0.438, 2.308, 0.4878, 0.8061]);
    expect(Math.abs(s?.t as number)).toBeLessThan(2);
  });
  it('finds a noisy fall', () => {
    expect(levelShift(curve(60, (i) => 2 - i / 40, 0.1, 3))?.t).toBeLessThan(-3);
  });
  it('needs 6 points', () => {
    expect(levelShift([1, 2, 3, 4, 5])).toBeNull();
  });
  it('a noiseless change is infinitely significant, no change is 0', () => {
    expect(levelShift([1, 1, 1, 2, 2, 2])?.t).toBe(Infinity);
    expect(levelShift([1, 1, 1, 1, 1, 1])?.t).toBe(0);
  });
});
