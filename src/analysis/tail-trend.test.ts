import { describe, expect, it } from 'vitest';
import { tailProgress, tailTrend } from './tail-trend.js';

const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

describe('tail trend', () => {
  it('fits the last quarter of the step range', () => {
    const t = tailTrend(range(101, (i) => i), range(101, (i) => 10 - 0.1 * i));
    expect(t).toMatchObject({ fromStep: 75, toStep: 100, n: 26 });
    expect(t?.change).toBeCloseTo(-2.5, 6);
    expect(t?.t).toBeLessThan(-1e6);
  });
  it('weighs the slope against the noise', () => {
    const noise = range(100, (i) => Math.sin(i * 12.9898) * 0.5);
    expect(Math.abs(tailTrend(range(100, (i) => i), noise)?.t ?? 0)).toBeLessThan(3);
  });
  it('is null under 3 points', () => {
    expect(tailTrend([0, 1], [1, 0])).toBeNull();
  });
  it('gives the share of the total drop made in the tail', () => {
    expect(tailProgress(range(100, (i) => i), range(100, (i) => 2 - 0.01 * i))?.share).toBeCloseTo(0.25, 1);
    expect(tailProgress(range(100, (i) => i), range(100, (i) => Math.exp(-i / 10)))?.share).toBeLessThan(0.01);
  });
});
