import { describe, expect, it } from 'vitest';
import type { Curve } from '../telemetry/curves.js';
import { epochLevelPoints, onePointPerEpoch, repeatsSteps } from './epoch-points.js';

const c = (steps: number[], values: number[] = steps.map(() => 1)): Curve => ({ tag: 't', unit: 'step', steps, values, restarts: [] });

describe('epoch-level points', () => {
  it('one point per epoch of the epoch counter (Lightning on_epoch values at global steps 3, 7, 11)', () => {
    expect(onePointPerEpoch(c([3, 7, 11]), c([3, 7, 11], [0, 1, 2]))).toBe(true);
  });
  it('per-step points, several in one epoch, are not', () => {
    expect(onePointPerEpoch(c([49, 99, 149, 199]), c([93, 187, 281], [0, 1, 2]))).toBe(false);
  });
  it('without an epoch counter nothing is known', () => {
    expect(onePointPerEpoch(c([3, 7, 11]), null)).toBe(false);
  });
  it('a raw series that repeats most of its steps has a coarse step counter', () => {
    expect(repeatsSteps({ steps: [0, 0, 0, 1, 1, 1, 2, 2, 2] })).toBe(true);
    expect(repeatsSteps({ steps: [0, 1, 2, 3, 3] })).toBe(false);
  });
  it('epoch-unit curves are epoch-level as they are', () => {
    expect(epochLevelPoints({ unit: 'epoch', steps: [0, 1] }, null)).toBe(true);
    expect(epochLevelPoints({ unit: 'step', steps: [0, 1] }, null, { steps: [0, 1] })).toBe(false);
  });
});
