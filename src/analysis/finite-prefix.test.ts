import { describe, expect, it } from 'vitest';
import type { Curve } from '../telemetry/curves.js';
import { finitePrefix, leadInPoints } from './finite-prefix.js';

const c = (values: number[]): Curve => ({ tag: 'loss', unit: 'step', steps: values.map((_, i) => i * 10), values, restarts: [] });

describe('finitePrefix', () => {
  it('returns the whole curve when it is finite', () => {
    expect(finitePrefix(c([3, 2, 1]))).toEqual({ steps: [0, 10, 20], values: [3, 2, 1], nonFiniteStep: null });
  });
  it('cuts at the first NaN/Inf and names its step', () => {
    expect(finitePrefix(c([3, 2, Infinity, 1, NaN]))).toEqual({ steps: [0, 10], values: [3, 2], nonFiniteStep: 20 });
  });
  it('drops the blow-up leading into the NaN on request', () => {
    const values = [...Array.from({ length: 40 }, () => 1), 5, 50, 500, 5000, NaN];
    const p = finitePrefix(c(values), true);
    expect(p.values).toHaveLength(44 - leadInPoints(44));
    expect(Math.max(...p.values)).toBe(1);
    expect(p.nonFiniteStep).toBe(440);
  });
});
