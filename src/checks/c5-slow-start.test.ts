import { describe, expect, it } from 'vitest';
import { curve } from '../test-support/runs.js';
import { ctxOf, flatAt, healthyShapes, lateDrop, nanAt, oscillating, risingAfterFall, runWith, stillFalling, underfit } from '../test-support/loss-shapes.js';
import { c5SlowStart } from './c5-slow-start.js';

const run = (r: ReturnType<typeof runWith>) => c5SlowStart.run(ctxOf(r));
const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));
const plateauThenDrop = (i: number): number => (i < 300 ? 2.3 : 0.4 + 1.9 * Math.exp(-(i - 300) / 40));

describe('C5 slow start', () => {
  describe('valid: must not fire', () => {
    const valid: Array<readonly [string, () => ReturnType<typeof runWith>]> = [
      ...healthyShapes,
      ['flat at ln 10 (C1)', () => flatAt(2.302, 0.3)],
      ['diverging', risingAfterFall],
      ['slow exponential decay (not a plateau)', stillFalling],
      ['NaN later', () => nanAt(150)],
      ['oscillating', oscillating],
      ['underfit', underfit],
      ['linear decrease', () => runWith({ 'train/loss': curve(300, (i) => 2.3 - 0.005 * i, 0.1, 3) })],
      [
        'plateau ended by an LR step (drop right after the step is the schedule)',
        () => runWith({ 'train/loss': curve(600, plateauThenDrop, 0.1, 25), lr: range(600, (i) => (i < 295 ? 0.1 : 0.01)) }),
      ],
      [
        'plateau during a long linear warm-up',
        () => runWith({ 'train/loss': curve(600, plateauThenDrop, 0.1, 25), lr: range(600, (i) => (i < 300 ? (1e-3 * i) / 300 : 1e-3)) }),
      ],
      [
        'a hump before the fall (resumed run: 0.46 -> 0.67 -> 0.44 over the first 20%, then a slow decline): the start is a valley, not a plateau',
        () => runWith({ 'train/loss': curve(80, (i) => (i < 16 ? 0.46 + 0.21 * Math.sin((Math.PI * i) / 16) : 0.46 - 0.24 * (1 - Math.exp(-(i - 16) / 30))), 0.15, 31) }),
      ],
      [
        'a flat start followed by a decline slower than the plateau (half the drop 3 plateau lengths later): a slow steady decline',
        () => runWith({ 'train/loss': curve(600, (i) => (i < 130 ? 1.0 : 1.0 - 0.6 * Math.min(1, (i - 130) / 470)), 0.03, 32) }),
      ],
    ];
    it.each(valid)('%s', (_name, build) => {
      expect(run(build())).toEqual([]);
    });
  });

  describe('invalid: must fire', () => {
    it('a long plateau then a late drop at constant lr is a warning', () => {
      const [f] = run(lateDrop());
      expect(f?.severity).toBe('warning');
      expect(f?.evidence['plateauFraction'] as number).toBeGreaterThan(0.45);
      expect(f?.evidence['onsetStep'] as number).toBeGreaterThanOrEqual(295);
      expect(f?.evidence['onsetStep'] as number).toBeLessThanOrEqual(320);
      expect(f?.steps?.[0]).toBe(0);
      expect(f?.evidence['threshold']).toBe(0.3);
      expect(f?.message).toMatch(/no learning-rate change in lr to explain it/);
    });

    it('without an lr curve it still fires and suggests logging the lr', () => {
      const [f] = run(runWith({ 'train/loss': curve(600, plateauThenDrop, 0.1, 25) }));
      expect(f?.severity).toBe('warning');
      expect(f?.actions.join(' ')).toMatch(/log the learning rate/);
    });

    it('a shorter plateau (~25% of the run) is info', () => {
      const f0 = (i: number): number => (i < 100 ? 1.2 : 0.2 + Math.exp(-(i - 100) / 30));
      const [f] = run(runWith({ 'train/loss': curve(400, f0, 0.05, 4) }));
      expect(f?.severity).toBe('info');
      expect(f?.evidence['plateauFraction'] as number).toBeGreaterThanOrEqual(0.2);
      expect(f?.evidence['plateauFraction'] as number).toBeLessThan(0.3);
    });

    it('a plateau at the level the loss fell to in its first epoch (the class prior: W&B digitsum cfycfjlx, 37 classes)', () => {
      const train = [3.412, 3.197, 3.179, 3.173, 3.172, 3.172, 3.172, 3.172, 3.172, 3.172, 3.172, 3.171, 3.171, 3.17, 3.169, 3.168, 3.165, 3.16, 3.15, 3.131, 3.104, 3.066, 3.023, 2.978, 2.927, 2.891, 2.844, 2.801, 2.779, 2.74];
      const [f] = run(runWith({ 'Train Loss': train }, {}, 'epoch'));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence).toMatchObject({ plateauStartStep: 1 });
      expect(f?.evidence['plateauFraction'] as number).toBeGreaterThan(0.5);
      expect(f?.message).toMatch(/stays near the level it fell to first \(3\.412 at step 0 -> 3\.197\) from step 1 to 17/);
    });

    it('a noisy start that only wobbles after its first fall is no plateau (Iris, train_loss every 50 steps)', () => {
      const train = [1.876, 1.185, 1.282, 1.386, 1.321, 0.8765, 0.9119, 1.048, 0.861, 1.076, 0.7383, 0.8004, 0.7218];
      expect(run(runWith({ train_loss: train }, {}, 'epoch'))).toEqual([]);
    });

    it('is visible on a 10-point epoch curve', () => {
      const [f] = run(runWith({ 'train/loss': [2.31, 2.3, 2.3, 2.29, 2.3, 1.6, 1.0, 0.7, 0.55, 0.5] }, {}, 'epoch'));
      expect(f?.severity).toBe('warning');
      expect(f?.steps).toEqual([0, 4]);
    });
  });
});
