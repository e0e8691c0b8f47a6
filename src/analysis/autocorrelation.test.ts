import { describe, expect, it } from 'vitest';
import { seeded } from '../test-support/runs.js';
import { autocorrelation, dominantPeriod } from './autocorrelation.js';

describe('autocorrelation', () => {
  it('is 1 at lag 0, high at the period of a sawtooth, ~0 for noise', () => {
    const saw = Array.from({ length: 200 }, (_, i) => i % 20);
    expect(autocorrelation(saw, 0)).toBe(1);
    expect(autocorrelation(saw, 20)).toBeGreaterThan(0.85);
    const r = seeded(1);
    const noise = Array.from({ length: 500 }, () => r());
    expect(Math.abs(autocorrelation(noise, 7))).toBeLessThan(0.15);
  });
  it('is 0 for a constant series and ignores NaN', () => {
    expect(autocorrelation([2, 2, 2, 2], 1)).toBe(0);
    expect(Number.isFinite(autocorrelation([1, NaN, 1, -1, 1, -1], 2))).toBe(true);
  });
  it('finds the dominant period, or none', () => {
    const saw = Array.from({ length: 200 }, (_, i) => i % 20);
    expect(dominantPeriod(saw, 4, 60, 0.3)?.lag).toBe(20);
    const r = seeded(2);
    expect(dominantPeriod(Array.from({ length: 300 }, () => r()), 4, 60, 0.3)).toBeNull();
  });
});
