import { describe, expect, it } from 'vitest';
import { logGrowth } from './growth.js';

const steps = Array.from({ length: 50 }, (_, i) => i);
describe('logGrowth', () => {
  it('measures sustained growth in decades', () => {
    const g = logGrowth(steps, steps.map((i) => 10 ** (i / 10)));
    expect(g?.decades).toBeGreaterThan(4);
    expect(g?.recentDecades).toBeGreaterThan(1);
    expect(g?.fromStep).toBe(0);
  });
  it('a spike that recovers is not growth', () => {
    const g = logGrowth(steps, steps.map((i) => (i === 30 ? 1e6 : 1)));
    expect(g?.decades).toBeCloseTo(0, 9);
  });
  it('ignores non-positive and non-finite values; null when too few remain', () => {
    expect(logGrowth([0, 1, 2, 3], [0, -1, NaN, 5])).toBeNull();
  });
});
