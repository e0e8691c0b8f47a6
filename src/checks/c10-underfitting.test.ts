import { describe, expect, it } from 'vitest';
import { curve } from '../test-support/runs.js';
import { ctxOf, flatAt, healthyShapes, lateDrop, nanAt, oscillating, risingAfterFall, runWith, stillFalling, underfit } from '../test-support/loss-shapes.js';
import { c10Underfitting } from './c10-underfitting.js';

const run = (r: ReturnType<typeof runWith>) => c10Underfitting.run(ctxOf(r));
const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));
const val = (n: number, every: number, f: (i: number) => number) => ({ steps: range(Math.floor(n / every), (k) => (k + 1) * every - 1), values: range(Math.floor(n / every), (k) => f((k + 1) * every - 1)) });

describe('C10 underfitting', () => {
  describe('valid: must not fire', () => {
    const valid: Array<readonly [string, () => ReturnType<typeof runWith>]> = [
      ...healthyShapes,
      ['flat at ln 10 (C1 says it)', () => runWith({ 'train/loss': curve(500, () => 2.302, 0.1), 'val/loss': val(500, 50, () => 2.3) })],
      ['flat without validation', () => flatAt(2.302, 0.1)],
      ['diverging', risingAfterFall],
      ['NaN', () => nanAt(100)],
      ['late drop', lateDrop],
      ['oscillating', oscillating],
      ['still falling without validation', stillFalling],
      ['underfit-looking train loss but no validation curve', () => runWith({ 'train/loss': curve(500, (i) => 0.8 + 0.2 * Math.exp(-i / 50), 0.1, 27) })],
      ['high train loss, validation far above (overfitting-like gap, not underfitting)', () => {
        const f = (i: number): number => 0.8 + 0.2 * Math.exp(-i / 50);
        return runWith({ 'train/loss': curve(500, f, 0.1, 27), 'val/loss': val(500, 50, (i) => f(i) * 1.4) });
      }],
      ['train loss that fell to 40% of its start, validation close', () => {
        const f = (i: number): number => 0.4 + 0.6 * Math.exp(-i / 60);
        return runWith({ 'train/loss': curve(500, f, 0.1, 28), 'val/loss': val(500, 50, (i) => f(i) * 1.05) });
      }],
      ['high but still falling fast with validation (C4: train longer)', () => {
        const f = (i: number): number => 1.0 - 0.0006 * i;
        return runWith({ 'train/loss': curve(500, f, 0.05, 29), 'val/loss': val(500, 50, (i) => f(i) * 1.02) });
      }],
      ['negative losses (no zero-based scale)', () => runWith({ 'train/loss': curve(300, (i) => -0.8 - 0.2 * Math.exp(-i / 50), 0.05), 'val/loss': val(300, 30, () => -0.8) })],
    ];
    it.each(valid)('%s', (_name, build) => {
      expect(run(build())).toEqual([]);
    });
  });

  describe('invalid: must fire', () => {
    it('train loss falling only 20% and levelling off, validation right beside it', () => {
      const [f] = run(underfit());
      expect(f?.severity).toBe('warning');
      expect(f?.steps).toEqual([0, 499]);
      expect(f?.tags).toEqual(['train/loss', 'val/loss']);
      expect(f?.evidence['trainRatio'] as number).toBeGreaterThan(0.75);
      expect(f?.evidence['threshold']).toBe(0.6);
      expect(Math.abs(f?.evidence['gap'] as number)).toBeLessThan(0.1);
      expect(f?.message).toMatch(/levels off at 0\.[78]\d+/);
    });

    it('validation slightly below train (dropout) still counts as close', () => {
      const f0 = (i: number): number => 0.66 + 0.08 * Math.exp(-i / 15);
      const [f] = run(runWith({ train_loss: { steps: range(95, (i) => 49 + 50 * i), values: curve(95, f0, 0.05, 30) }, valid_loss: { steps: range(14, (k) => 340 + 341 * k), values: range(14, (k) => 0.65 + 0.03 * Math.exp(-k / 3)) } }));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence['gap'] as number).toBeLessThan(0);
    });

    it('works on epoch-level curves (19 points)', () => {
      const train = [0.853, 0.754, 0.722, 0.707, 0.695, 0.688, 0.683, 0.677, 0.673, 0.667, 0.664, 0.662, 0.658, 0.657, 0.652, 0.651, 0.647, 0.647, 0.644];
      const valid = [0.774, 0.736, 0.714, 0.699, 0.715, 0.687, 0.678, 0.695, 0.671, 0.669, 0.674, 0.669, 0.661, 0.665, 0.656, 0.657, 0.659, 0.653, 0.654];
      const [f] = run(runWith({ 'train/loss': train, 'val/loss': valid }, {}, 'epoch'));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence['trainStart']).toBe(0.853);
      expect(f?.evidence['trainRatio'] as number).toBeCloseTo(0.755, 2);
    });
  });
});
