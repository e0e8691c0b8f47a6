import { describe, expect, it } from 'vitest';
import type { Curve } from '../telemetry/curves.js';
import { lrAt, lrEvents, lrFor, lrNearZeroOver, lrRange, lrRose, lrSpike } from './lr-events.js';

const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));
const curve = (values: number[], unit: 'step' | 'epoch' = 'step'): Curve => ({ tag: 'lr', unit, steps: values.map((_, i) => i), values, restarts: [] });
const loss = curve([1, 1]);

describe('lr events', () => {
  it('needs an lr curve on the same step axis', () => {
    expect(lrFor(loss, null)).toBeNull();
    expect(lrFor(loss, curve([0.1, 0.1], 'epoch'))).toBeNull();
    expect(lrFor(loss, curve([0.1, 0.1]))?.tag).toBe('lr');
  });
  it('reads the rate in force at a step and over a range', () => {
    const lr = lrFor(loss, curve(range(900, (i) => (i < 300 ? 0.1 : i < 600 ? 0.01 : 0.001))))!;
    expect(lrAt(lr, 450)).toBe(0.01);
    expect(lrRange(lr, 250, 650)).toEqual({ min: 0.001, max: 0.1 });
  });
  it('finds step drops and warm restarts', () => {
    const step = lrFor(loss, curve(range(900, (i) => (i < 300 ? 0.1 : i < 600 ? 0.01 : 0.001))))!;
    expect(lrEvents(step).map((e) => [e.kind, e.step])).toEqual([['drop', 300], ['drop', 600]]);
    const sgdr = lrFor(loss, curve(range(900, (i) => 1e-3 * 0.5 * (1 + Math.cos((Math.PI * (i % 300)) / 300)))))!;
    expect(lrEvents(sgdr).filter((e) => e.kind === 'rise').map((e) => e.step)).toEqual([300, 600]);
    expect(lrRose(sgdr, 280, 320)).toBe(true);
    expect(lrRose(sgdr, 100, 280)).toBe(false);
  });
  it('finds the end of a warm-up', () => {
    const warm = lrFor(loss, curve(range(500, (i) => (i < 50 ? (1e-3 * i) / 50 : 1e-3))))!;
    expect(lrEvents(warm)).toEqual([{ kind: 'warmup-end', step: 50, factor: Infinity }]);
  });
});

describe('lrSpike', () => {
  const view = (values: number[]) => ({ tag: 'lr', steps: values.map((_, i) => i * 10), values });
  it('finds an abrupt jump above every earlier rate, not a restart to the old peak or a gradual ramp', () => {
    expect(lrSpike(view([1e-3, 1e-3, 1e-3, 0.1, 0.1]), 15, 40)).toEqual({ step: 30, factor: 100 });
    expect(lrSpike(view([0.1, 0.05, 0.01, 0.1, 0.05]), 25, 40)).toBeNull();
    expect(lrSpike(view([1e-4, 3e-4, 9e-4, 2.7e-3, 8e-3]), 5, 40)).toBeNull();
    expect(lrSpike(view([1e-3, 1e-3, 1e-3, 0.1, 0.1]), 30, 40)).toBeNull();
  });
});

describe('lrNearZeroOver', () => {
  it('is true where the rate stays below 1% of its peak size, false where it moves the weights (negative rates too)', () => {
    expect(lrNearZeroOver({ steps: [0, 50, 100], values: [0.1, 0, 0] }, 50, 100)).toBe(true);
    expect(lrNearZeroOver({ steps: [0, 50, 100], values: [0.1, 5e-4, 5e-4] }, 60, 100)).toBe(true);
    expect(lrNearZeroOver({ steps: [0, 50, 100], values: [0.1, 0.01, 0.01] }, 60, 100)).toBe(false);
    expect(lrNearZeroOver({ steps: [0, 50, 100], values: [-1e-3, -1e-3, -1e-3] }, 0, 100)).toBe(false);
    expect(lrNearZeroOver({ steps: [0, 100], values: [0, 0] }, 0, 100)).toBe(true);
  });
});
