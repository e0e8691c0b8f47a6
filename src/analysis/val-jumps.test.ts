import { describe, expect, it } from 'vitest';
import { valJumps } from './val-jumps.js';

const steps = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('val jumps', () => {
  it('finds a spike up and back down that the train loss does not share', () => {
    const j = valJumps(steps(6), [1, 0.8, 0.75, 2.4, 0.72, 0.7], steps(6), [1, 0.9, 0.85, 0.84, 0.83, 0.82], 2);
    expect(j).toMatchObject({ ups: 1, downs: 1, intervals: 4 });
    expect(j?.jumps.map((x) => x.toStep)).toEqual([3, 4]);
    expect(j?.largestExcess).toBeGreaterThan(3);
  });
  it('does not count a jump the train loss made too', () => {
    const j = valJumps(steps(6), [1, 0.8, 0.75, 2.4, 0.72, 0.7], steps(6), [1, 0.9, 0.85, 2.6, 0.83, 0.82], 2);
    expect(j?.jumps).toEqual([]);
  });
  it('skips the interval after the first evaluation (batch-norm epoch 0)', () => {
    expect(valJumps(steps(5), [9, 1, 0.9, 0.85, 0.8], steps(5), [2, 1.5, 1.2, 1.1, 1], 2)?.jumps).toEqual([]);
  });
  it('bins a per-step train loss onto the val steps', () => {
    const trainSteps = steps(50);
    const train = trainSteps.map((i) => 1 - i / 100);
    const j = valJumps([9, 19, 29, 39, 49], [0.9, 0.8, 2, 0.75, 0.7], trainSteps, train, 2);
    expect(j).toMatchObject({ ups: 1, downs: 1 });
    expect(j?.jumps[0]?.trainFactor).toBeCloseTo(0.755 / 0.855, 6); // means of steps 20-29 and 10-19
  });
  it('judges only positive curves with 3+ finite points', () => {
    expect(valJumps(steps(4), [1, -0.5, 0.2, 0.1], steps(4), [1, 1, 1, 1], 2)).toBeNull();
    expect(valJumps(steps(3), [1, NaN, 0.5], steps(3), [1, 1, 1], 2)).toBeNull();
  });
});
