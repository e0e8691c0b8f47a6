import { describe, expect, it } from 'vitest';
import { seeded } from '../test-support/runs.js';
import { periodicity, phaseBins } from './phase-fold.js';

describe('phase folding', () => {
  it('bins steps by phase', () => {
    expect(phaseBins([0, 5, 10, 15], 10, 2, 0)).toEqual([0, 1, 0, 1]);
  });
  it('a square wave is fully explained by its phase', () => {
    const steps = Array.from({ length: 100 }, (_, i) => i);
    const p = periodicity(steps, steps.map((s) => (s % 10 < 5 ? 1 : -1)), 10, 10, 0);
    expect(p.eta2).toBeCloseTo(1, 9);
    expect(p.amplitude).toBeCloseTo(2, 9);
  });
  it('noise is not', () => {
    const r = seeded(3);
    const steps = Array.from({ length: 1000 }, (_, i) => i);
    const p = periodicity(steps, steps.map(() => r()), 37.5, 10, 0);
    expect(p.eta2).toBeLessThan(0.05);
    expect(p.f).toBeLessThan(4);
  });
});
