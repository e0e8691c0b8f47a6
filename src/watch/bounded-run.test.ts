import { describe, expect, it } from 'vitest';
import type { Histogram } from '../telemetry/series.js';
import { BoundedRun } from './bounded-run.js';

const hist = (i: number): Histogram => ({ min: i, max: i, num: 1, sum: i, sumSquares: i * i, bucketLimits: [i], bucketCounts: [1] });

describe('BoundedRun', () => {
  it('exposes bounded scalar series under their prefixed tags, and the exact latest point', () => {
    const b = new BoundedRun('r', 'jsonl', { maxPoints: 16 });
    const train = b.sink('train/');
    for (let i = 0; i < 1000; i++) train.scalar('loss', i, 1000 - i, NaN);
    b.sink('').meta('framework', 'jax');
    const s = b.run.scalars.get('train/loss');
    expect(s?.values.length).toBeLessThanOrEqual(16);
    expect(b.latest('train/loss')).toEqual({ step: 999, value: 1 });
    expect(b.latest('nope')).toBeNull();
    expect(b.lastStep()).toBe(999);
    expect(b.run.meta.get('framework')).toBe('jax');
  });

  it('keeps at most maxHistograms (+ the latest) evenly spaced histograms, the latest always last', () => {
    const b = new BoundedRun('r', 'tensorboard', { maxHistograms: 8 });
    const sink = b.sink('');
    for (let n = 1; n <= 300; n++) {
      sink.histogram('gradients/dense', n - 1, hist(n - 1), NaN);
      const h = b.run.histograms.get('gradients/dense');
      expect(h?.steps[h.steps.length - 1]).toBe(n - 1);
      expect(h?.steps.length).toBeLessThanOrEqual(9);
      expect(h?.histograms.length).toBe(h?.steps.length);
      const steps = h?.steps ?? [];
      for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThan(steps[i - 1] as number);
    }
    const steps = b.run.histograms.get('gradients/dense')?.steps ?? [];
    expect(steps[0]).toBe(0);
    // evenly spaced apart from the latest
    const gaps = new Set(steps.slice(1, -1).map((s, i) => s - (steps[i] as number)));
    expect(gaps.size).toBe(1);
  });

  it('drops histograms from a restart step on', () => {
    const b = new BoundedRun('r', 'tensorboard', { maxHistograms: 8 });
    const sink = b.sink('');
    for (let i = 0; i < 20; i++) sink.histogram('w', i, hist(i), NaN);
    sink.histogram('w', 5, hist(100), NaN);
    const h = b.run.histograms.get('w');
    expect(h?.steps[h.steps.length - 1]).toBe(5);
    expect(h?.steps.filter((s) => s >= 5)).toEqual([5]);
  });
});
