import { describe, expect, it } from 'vitest';
import { histogramSeries } from '../telemetry/series.js';
import { ridgeline } from './histogram-snapshots.js';

describe('ridgeline', () => {
  it('rebins every snapshot onto common bins, keeping its count, and always keeps the latest', () => {
    const s = histogramSeries('gradients/fc1');
    for (let step = 0; step < 100; step++) {
      s.steps.push(step);
      s.wallTimes.push(NaN);
      // PyTorch-style: an empty bucket below min, then the values.
      s.histograms.push({ min: -1 - step / 100, max: 1, num: 30, sum: 0, sumSquares: NaN, bucketLimits: [-2, 0, 0.5, 1], bucketCounts: [0, 10, 5, 15] });
    }
    const r = ridgeline(s, 10, 16);
    expect(r.total).toBe(100);
    expect(r.snapshots.length).toBeLessThanOrEqual(10);
    expect(r.snapshots[0]?.step).toBe(0);
    expect(r.snapshots.at(-1)?.step).toBe(99);
    expect(r.lo).toBeCloseTo(-1.99);
    expect(r.hi).toBe(1);
    for (const snap of r.snapshots) {
      expect(snap.counts).toHaveLength(16);
      expect(snap.counts.reduce((a, b) => a + b, 0)).toBeCloseTo(30);
    }
  });
});
