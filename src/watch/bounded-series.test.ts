import { describe, expect, it } from 'vitest';
import { BoundedScalars } from './bounded-series.js';

function fill(n: number, max: number, value: (i: number) => number = (i) => i): BoundedScalars {
  const s = new BoundedScalars('loss', 'step', max);
  for (let i = 0; i < n; i++) s.push(i, value(i), i * 10);
  return s;
}

describe('BoundedScalars', () => {
  it('keeps every point exactly while under the limit', () => {
    const s = fill(64, 64);
    expect(s.series.steps).toEqual([...Array(64).keys()]);
    expect(s.series.values).toEqual([...Array(64).keys()]);
  });

  it('stays within the limit with increasing steps and bucket means', () => {
    for (const n of [65, 1000, 12_345, 200_000]) {
      const s = fill(n, 64);
      const { steps, values, wallTimes } = s.series;
      expect(steps.length).toBeLessThanOrEqual(64);
      expect(steps.length).toBeGreaterThanOrEqual(32);
      for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThan(steps[i - 1] as number);
      // value = identity, so a bucket's mean equals its middle step (within half a step of rounding)
      for (let i = 0; i < steps.length; i++) expect(Math.abs((values[i] as number) - (steps[i] as number))).toBeLessThanOrEqual(0.5);
      expect(wallTimes[wallTimes.length - 1]).toBe((n - 1) * 10);
      expect(s.latestStep).toBe(n - 1);
      expect(s.latestValue).toBe(n - 1);
      expect(steps[0]).toBeLessThan(n / 32);
    }
  });

  it('never averages a NaN away and places its bucket at the first non-finite step', () => {
    const s = fill(100_000, 64, (i) => (i === 54_321 ? NaN : 1));
    const { steps, values } = s.series;
    const bad = values.findIndex((v) => !Number.isFinite(v));
    expect(bad).toBeGreaterThanOrEqual(0);
    expect(steps[bad]).toBe(54_321);
    expect(values.filter((v) => !Number.isFinite(v))).toHaveLength(1);
    expect(values.filter((v) => Number.isFinite(v)).every((v) => v === 1)).toBe(true);
  });

  it('keeps an Infinity as Infinity', () => {
    const s = fill(5000, 64, (i) => (i >= 4000 ? Infinity : 2));
    const first = s.series.values.findIndex((v) => v === Infinity);
    expect(s.series.steps[first]).toBe(4000);
  });

  it('resolves a restart (steps going backwards) by dropping the kept points from that step on', () => {
    const s = new BoundedScalars('loss', 'step', 64);
    for (let i = 0; i < 500; i++) s.push(i, 1, NaN);
    for (let i = 300; i < 400; i++) s.push(i, 2, NaN);
    const { steps, values } = s.series;
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThan(steps[i - 1] as number);
    expect(steps[steps.length - 1]).toBeLessThan(400);
    expect(values.filter((v, i) => (steps[i] as number) >= 300).every((v) => v === 2)).toBe(true);
    expect(s.latestStep).toBe(399);
  });

  it('costs the same per point at any length (amortised)', () => {
    const time = (n: number): number => {
      const s = new BoundedScalars('loss', 'step', 2048);
      const t0 = performance.now();
      for (let i = 0; i < n; i++) s.push(i, Math.sin(i), NaN);
      return (performance.now() - t0) / n;
    };
    time(100_000);
    expect(time(1_000_000)).toBeLessThan(time(100_000) * 8 + 0.001);
  });
});
