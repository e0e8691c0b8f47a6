import { describe, expect, it } from 'vitest';
import type { Curve } from '../telemetry/curves.js';
import { lateLevels, latestPoints } from './late-level.js';

const c = (tag: string, values: number[]): Curve => ({ tag, unit: 'step', steps: values.map((_, i) => i * 10), values, restarts: [] });

describe('lateLevels', () => {
  it('takes the median of the second half, ignoring a transient start and non-finite values', () => {
    const { levels, short } = lateLevels([['a', c('x/a', [0.9, 0.9, 0.1, 0.2, NaN, 0.3])]], 2);
    expect(short).toBeNull();
    expect(levels).toEqual([expect.objectContaining({ layer: 'a', level: 0.25, from: 30, to: 50 })]);
  });

  it('reports a too-short curve only when no layer could be judged', () => {
    expect(lateLevels([['a', c('x/a', [1, 2])]], 3).short?.tag).toBe('x/a');
    const both = lateLevels([['a', c('x/a', [1, 2])], ['b', c('x/b', [1, 2, 3, 4, 5, 6])]], 3);
    expect(both.short).toBeNull();
    expect(both.levels.map((l) => l.layer)).toEqual(['b']);
  });
});

describe('latestPoints', () => {
  it('returns the last finite points and the steps they span', () => {
    expect(latestPoints(c('x/a', [0.2, 1, NaN, 1, 0.9]), 3)).toEqual({ values: [1, 1, 0.9], from: 10, to: 40 });
  });

  it('is null when the curve has fewer finite points', () => {
    expect(latestPoints(c('x/a', [1, NaN, 1]), 3)).toBeNull();
    expect(latestPoints(c('x/a', []), 1)).toBeNull();
  });
});
