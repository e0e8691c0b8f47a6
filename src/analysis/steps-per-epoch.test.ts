import { describe, expect, it } from 'vitest';
import type { Curve } from '../telemetry/curves.js';
import { stepsPerEpoch } from './steps-per-epoch.js';

const curveOf = (steps: number[], values: number[], unit: 'step' | 'epoch' = 'step'): Curve => ({ tag: 'epoch', unit, steps, values, restarts: [] });

describe('stepsPerEpoch', () => {
  it('reads the slope of a fractional (Hugging Face) epoch curve', () => {
    const steps = Array.from({ length: 18 }, (_, i) => 20 * (i + 1));
    const g = stepsPerEpoch(curveOf(steps, steps.map((s) => s / 125)));
    expect(g?.stepsPerEpoch).toBeCloseTo(125, 6);
    expect(g?.offset).toBeCloseTo(0, 6);
  });
  it('reads epoch starts from an integer (Lightning) epoch curve logged every 50 steps', () => {
    const steps = Array.from({ length: 100 }, (_, i) => 49 + 50 * i);
    const g = stepsPerEpoch(curveOf(steps, steps.map((s) => Math.floor(s / 340))));
    expect(g?.stepsPerEpoch).toBeGreaterThan(330);
    expect(g?.stepsPerEpoch).toBeLessThan(350);
  });
  it('is null for less than one epoch, epoch units, or no curve', () => {
    expect(stepsPerEpoch(curveOf([1, 2, 3], [0, 0, 0]))).toBeNull();
    expect(stepsPerEpoch(curveOf([0, 1, 2], [0, 1, 2], 'epoch'))).toBeNull();
    expect(stepsPerEpoch(null)).toBeNull();
  });
});
