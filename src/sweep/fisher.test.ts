import { describe, expect, it } from 'vitest';
import { fisherOneSided } from './fisher.js';

/** The hypergeometric tail by plain binomial coefficients, for small tables. */
function reference(hits: number, group: number, total: number, withFinding: number): number {
  const choose = (n: number, k: number): number => {
    let r = 1;
    for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
    return r;
  };
  let p = 0;
  for (let x = hits; x <= Math.min(group, withFinding); x++) p += (choose(withFinding, x) * choose(total - withFinding, group - x)) / choose(total, group);
  return p;
}

describe('fisherOneSided', () => {
  it('matches the hypergeometric tail', () => {
    expect(fisherOneSided(6, 6, 26, 6)).toBeCloseTo(4.343482604352169e-6, 15);
    expect(fisherOneSided(3, 3, 6, 3)).toBeCloseTo(0.05, 12);
    expect(fisherOneSided(4, 4, 8, 4)).toBeCloseTo(1 / 70, 12);
    expect(fisherOneSided(14, 15, 45, 14)).toBeCloseTo(8.988961467585541e-11, 20);
    for (const [a, n, N, K] of [[3, 6, 12, 6], [2, 5, 20, 4], [0, 3, 10, 5], [5, 9, 30, 11]] as const) {
      expect(fisherOneSided(a, n, N, K)).toBeCloseTo(reference(a, n, N, K), 12);
    }
  });
  it('is 1 when nothing is lopsided, and stays finite for thousands of runs', () => {
    expect(fisherOneSided(0, 5, 20, 6)).toBe(1);
    const p = fisherOneSided(500, 500, 5000, 500);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(1e-100);
  });
  it('rejects impossible tables', () => {
    expect(() => fisherOneSided(4, 3, 10, 5)).toThrow(RangeError);
    expect(() => fisherOneSided(1, 3, 2, 1)).toThrow(RangeError);
    expect(() => fisherOneSided(-1, 3, 10, 1)).toThrow(RangeError);
    expect(() => fisherOneSided(1.5, 3, 10, 2)).toThrow(RangeError);
  });
});
