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
      ['a young run: 40 steps at 65% of ln 10 with validation close (the corpus MLPs at step 39)', () => {
        const f = (i: number): number => 1.5 + 0.8 * Math.exp(-i / 10);
        return runWith({ 'train/loss': curve(40, f, 0.05, 30), 'val/loss': val(40, 20, (i) => f(i) * 1.02) });
      }],
      ['high but still falling fast with validation (C4: train longer)', () => {
        const f = (i: number): number => 1.0 - 0.0006 * i;
        return runWith({ 'train/loss': curve(500, f, 0.05, 29), 'val/loss': val(500, 50, (i) => f(i) * 1.02) });
      }],
      ['10 classes, healthy MNIST-like fit: ends at 0.5 (22% of ln 10), validation close', () => {
        const f = (i: number): number => 0.5 + 1.8 * Math.exp(-i / 30);
        return runWith({ 'train/loss': curve(160, f, 0.1, 51), 'val/loss': val(160, 20, (i) => f(i) * 1.1) });
      }],
      ['10 classes, ends at 1.6 (70% of ln 10) but validation 40% above (a gap, not underfitting)', () => {
        const f = (i: number): number => 1.6 + 0.9 * Math.exp(-i / 15);
        return runWith({ 'train/loss': curve(160, f, 0.05, 52), 'val/loss': val(160, 20, (i) => f(i) * 1.4) });
      }],
      ['epoch-level curve whose first point is already below ln 7 (class count unknown: Keras emotion ResNet, 1.72 -> 0.96)', () => {
        const train = [1.716, 1.526, 1.422, 1.341, 1.277, 1.222, 1.172, 1.132, 1.095, 1.06, 1.033, 1.007, 0.99, 0.975, 0.958, 0.951, 0.964];
        const valid = [1.444, 7.417, 1.39, 1.33, 1.27, 1.23, 1.2, 1.18, 1.16, 1.14, 1.13, 1.12, 1.12, 1.11, 1.114, 1.129, 1.075];
        return runWith({ loss: train, val_loss: valid }, {}, 'epoch');
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

    it('10 classes: falls from ~2.9 and levels off at 1.45 (63% of ln 10, under 60% of its start), validation within 25%', () => {
      const f0 = (i: number): number => 1.45 + 1.5 * Math.exp(-i / 15);
      const [f] = run(runWith({ 'train/loss': curve(160, f0, 0.05, 53), 'val/loss': val(160, 20, (i) => f0(i) * 1.2) }));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence).toMatchObject({ rule: 'chance-level', chanceShareThreshold: 0.5, gapThreshold: 0.25 });
      expect(f?.evidence['chanceLevel'] as number).toBeCloseTo(Math.log(10), 6);
      expect(f?.evidence['chanceShare'] as number).toBeGreaterThan(0.6);
      expect(f?.evidence['trainRatio'] as number).toBeLessThan(0.6);
      expect(f?.message).toMatch(/still 6\d% of the chance level ln\(10\) = 2\.303 \(threshold 50%/);
    });

    it('the chance rule takes the class count from the metadata (an epoch curve starting below ln 10)', () => {
      const train = [2.1, 1.9, 1.8, 1.75, 1.72, 1.7, 1.69, 1.69, 1.68, 1.68];
      const valid = [2.0, 1.95, 1.9, 1.88, 1.87, 1.86, 1.86, 1.86, 1.86, 1.86];
      const [f] = run(runWith({ 'train/loss': train, 'val/loss': valid }, { num_classes: 10 }, 'epoch'));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence['rule']).toBe('chance-level');
      const [g] = run(runWith({ 'train/loss': train, 'val/loss': valid }, {}, 'epoch'));
      expect(g).toBeUndefined();
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
