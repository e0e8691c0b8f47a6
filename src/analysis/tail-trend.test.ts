import { describe, expect, it } from 'vitest';
import { endFall, tailProgress, tailTrend, tCritical05 } from './tail-trend.js';

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

describe('t critical values', () => {
  it('matches the one-sided 5% t table', () => {
    expect(tCritical05(1)).toBeCloseTo(6.314, 3);
    expect(tCritical05(2)).toBeCloseTo(2.92, 3);
    expect(tCritical05(11)).toBeCloseTo(1.796, 2);
    expect(tCritical05(30)).toBeCloseTo(1.697, 2);
    expect(tCritical05(1e6)).toBeCloseTo(1.645, 3);
    expect(tCritical05(0)).toBe(Infinity);
  });
});

describe('end fall', () => {
  it('measures the fall over the last fifth against the level of a positive loss', () => {
    const e = endFall(range(101, (i) => i), range(101, (i) => 2 - 0.01 * i));
    expect(e?.scaleKind).toBe('level');
    expect(e?.relativeDrop).toBeCloseTo(0.2 / 1.1, 2);
    expect(e?.significant).toBe(true);
    expect(e?.minInTail).toBe(true);
  });
  it('measures a loss that goes negative against its range', () => {
    const e = endFall(range(100, (i) => i), range(100, (i) => -1 + 2 * Math.exp(-i / 30)));
    expect(e?.scaleKind).toBe('range');
    expect(e?.relativeDrop).toBeGreaterThan(0);
    expect(e?.relativeDrop).toBeLessThan(0.1);
  });
  it('a padded 3-point tail of a short curve reports its fall per fraction, not per padded span', () => {
    const e = endFall([0, 1, 2, 3, 4, 5], [1, 0.8, 0.7, 0.6, 0.5, 0.4]);
    expect(e?.tail.n).toBe(3);
    expect(e?.relativeDrop).toBeCloseTo(0.2 / 0.5, 6);
    expect(e?.dropOverFraction).toBeCloseTo(0.1 / 0.5, 6);
  });
  it('a short tail that falls strictly over 4 points is significant by the rank test', () => {
    const e = endFall([0, 1, 2, 3, 4, 5, 6], [1.7, 1.2, 1.0, 0.92, 0.87, 0.845, 0.8]);
    expect(e?.tail.t).toBeGreaterThan(-(e?.tCritical ?? 0));
    expect(e?.monotone).toBe(true);
    expect(e?.significant).toBe(true);
  });
  it('a curve that bottomed out mid-run has its minimum outside the tail', () => {
    const e = endFall(range(50, (i) => i), range(50, (i) => 0.5 + 0.002 * (i - 25) ** 2));
    expect(e?.minInTail).toBe(false);
    expect(e?.risingSignificantly).toBe(true);
  });
  it('is null under 4 points', () => {
    expect(endFall([0, 1, 2], [3, 2, 1])).toBeNull();
  });
});
