import { describe, expect, it } from 'vitest';
import { gaussianHistogram } from '../test-support/runs.js';
import { histogramMaxAbs, histogramMean, histogramNonFinite, nearlyEqual, rebin, sameHistogram } from './histogram-stats.js';

describe('histogram stats', () => {
  const h = gaussianHistogram(0.5, 0.1, 1000);
  it('mean, max abs, non-finite', () => {
    expect(histogramMean(h)).toBeCloseTo(0.5, 2);
    expect(histogramMaxAbs(h)).toBeCloseTo(0.9, 9);
    expect(histogramNonFinite({ ...h, sum: NaN })).toBe(true);
    expect(histogramNonFinite(h)).toBe(false);
  });
  it('compares within a relative tolerance', () => {
    expect(nearlyEqual(1, 1 + 1e-9, 1e-7)).toBe(true);
    expect(nearlyEqual(1, 1 + 1e-5, 1e-7)).toBe(false);
    expect(nearlyEqual(NaN, NaN, 1e-7)).toBe(true);
    expect(sameHistogram(h, { ...h }, 1e-7)).toBe(true);
    expect(sameHistogram(h, { ...h, sum: h.sum * 1.001 }, 1e-7)).toBe(false);
  });
  it('re-bins to equal-width shares summing to 1', () => {
    const shares = rebin(h, 10);
    expect(shares).toHaveLength(10);
    expect((shares ?? []).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(shares?.[4]).toBeGreaterThan(shares?.[0] ?? 1);
    expect(rebin({ ...h, min: 1, max: 1 }, 10)).toBeNull();
  });
});
