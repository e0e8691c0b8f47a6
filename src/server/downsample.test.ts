import { describe, expect, it } from 'vitest';
import { commonGrid, downsampleM4 } from './downsample.js';

describe('downsampleM4', () => {
  it('returns short curves whole, non-finite values as gaps with markers', () => {
    const d = downsampleM4([0, 1, 2, 3], [1, NaN, Infinity, 2], 10);
    expect(d.steps).toEqual([0, 1, 2, 3]);
    expect(d.values).toEqual([1, null, null, 2]);
    expect(d.nonFinite).toEqual([
      { step: 1, value: 'NaN', count: 1 },
      { step: 2, value: 'Infinity', count: 1 },
    ]);
  });

  it('keeps first, min, max and last of each bucket of a million points', () => {
    const n = 1_000_000;
    const steps = Array.from({ length: n }, (_, i) => i);
    const values = steps.map((i) => Math.sin(i / 1000) + (i === 500_123 ? 50 : 0));
    const d = downsampleM4(steps, values, 800);
    expect(d.points).toBe(n);
    expect(d.steps.length).toBeLessThanOrEqual(4 * 800);
    expect(d.steps[0]).toBe(0);
    expect(d.steps.at(-1)).toBe(n - 1);
    // The single spike survives (it is its bucket's max).
    expect(d.steps).toContain(500_123);
    expect(Math.max(...(d.values as number[]))).toBeCloseTo(50 + Math.sin(500.123), 6);
    expect(d.steps.every((s, i) => i === 0 || s > (d.steps[i - 1] as number))).toBe(true);
  });

  it('counts non-finite values per bucket and leaves a gap where a bucket holds nothing finite', () => {
    const steps = Array.from({ length: 1000 }, (_, i) => i);
    const values = steps.map((i) => (i >= 900 ? NaN : 1));
    const d = downsampleM4(steps, values, 10);
    expect(d.nonFinite).toEqual([{ step: 900, value: 'NaN', count: 100 }]);
    expect(d.values.at(-1)).toBeNull();
    expect(d.steps.at(-1)).toBe(900);
  });

  it('narrows to a step range, keeping one point beyond each end', () => {
    const steps = Array.from({ length: 100 }, (_, i) => i * 10);
    const values = steps.map((s) => s);
    const d = downsampleM4(steps, values, 100, { from: 200, to: 300 });
    expect(d.steps[0]).toBe(190);
    expect(d.steps.at(-1)).toBe(310);
    expect(d.points).toBe(13);
  });
});

describe('commonGrid', () => {
  it('uses the union of steps when it fits, else bucket means', () => {
    const g = commonGrid([{ steps: [0, 2], values: [1, 3] }, { steps: [1, 2], values: [5, NaN] }], 10);
    expect(g.steps).toEqual([0, 1, 2]);
    expect(g.columns).toEqual([[1, null, 3], [null, 5, 'NaN']]);
    const steps = Array.from({ length: 100 }, (_, i) => i);
    const b = commonGrid([{ steps, values: steps }], 10);
    expect(b.steps).toHaveLength(10);
    expect(b.columns[0]?.[0]).toBeCloseTo(4.5);
  });
});
