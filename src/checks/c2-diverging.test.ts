import { describe, expect, it } from 'vitest';
import { curve } from '../test-support/runs.js';
import { ctxOf, flatAt, healthyShapes, lateDrop, nanAt, oscillating, risingAfterFall, runWith, stillFalling, underfit } from '../test-support/loss-shapes.js';
import { c2Diverging } from './c2-diverging.js';

const run = (r: ReturnType<typeof runWith>) => c2Diverging.run(ctxOf(r));
const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

describe('C2 diverging', () => {
  describe('valid: must not fire', () => {
    it('an ELBO whose total rises with a KL warm-up while its NLL term holds (hmnn v114) is no divergence', () => {
      const n = 100;
      const beta = range(n, (i) => Math.min(1, i / 50));
      const nll = curve(n, (i) => 0.35 + 0.3 * Math.exp(-i / 10), 0.02, 5);
      const kl = curve(n, () => 60, 0.5, 6);
      const total = range(n, (i) => (nll[i] as number) + (beta[i] as number) * (kl[i] as number));
      expect(run(runWith({ train_loss_epoch: total, train_nll_epoch: nll, train_kl_epoch: kl }))).toEqual([]);
      // The same total without the data term logged is a rise like any other.
      expect(run(runWith({ train_loss_epoch: total }))[0]?.check).toBe('C2');
    });

    it('a loss falling over ten decades with noise of a decade is no divergence', () => {
      const v = range(400, (i) => 10 ** (11 - i / 40 + Math.sin(i * 1.7)));
      expect(run(runWith({ mean_loss: v }))).toEqual([]);
    });

    const valid: Array<readonly [string, () => ReturnType<typeof runWith>]> = [
      ...healthyShapes,
      ['flat at ln 10 (C1)', () => flatAt(2.302, 0.3)],
      ['still falling', stillFalling],
      ['late drop', lateDrop],
      ['underfit', underfit],
      ['large oscillations ending on an upswing (C9, not C2)', oscillating],
      ['healthy decay that turns NaN at step 120 (C6 speaks)', () => nanAt(120)],
      ['blow-up into NaN: the explosion is C6, not C2', () => runWith({ 'train/loss': [...curve(60, (i) => 2 * Math.exp(-i / 20) + 0.3, 0.05), 0.6, 3, 40, 900, NaN, NaN] })],
      ['one uptick at the end of a 5-epoch curve', () => runWith({ 'train/loss': [1.0, 0.8, 0.6, 0.5, 1.2] }, {}, 'epoch')],
      [
        'one-cycle policy: loss rises while the lr ramps up, then falls',
        () => runWith({ 'train/loss': curve(300, (i) => (i < 150 ? 1.0 + 0.4 * (i / 150) : 1.4 * Math.exp(-(i - 150) / 60) + 0.2), 0.05, 5), lr: range(300, (i) => (i < 150 ? 1e-4 + (1e-3 * i) / 150 : 1.1e-3 * (1 - (i - 150) / 150) + 1e-5)) }),
      ],
      [
        'run ending just after a warm restart (the lr explains the jump)',
        () => {
          const lr = (i: number): number => 1e-3 * 0.5 * (1 + Math.cos((Math.PI * (i % 300)) / 300));
          return runWith({ 'train/loss': curve(660, (i) => 0.3 + Math.exp(-i / 200) + 1.0 * (lr(i) / 1e-3), 0.05, 6), lr: range(660, lr) });
        },
      ],
    ];
    it.each(valid)('%s', (_name, build) => {
      expect(run(build())).toEqual([]);
    });
  });

  describe('invalid: must fire', () => {
    it('a loss that fell by ten decades and then sits 1e4x above its low (PINN, oedometer v24) is an error, judged in decades', () => {
      const v = range(400, (i) => (i < 120 ? 10 ** (11 - i / 10) : 10 ** (4 + 3 * Math.abs(Math.sin(i / 7)))));
      const [f] = run(runWith({ mean_loss: v }));
      expect(f?.severity).toBe('error');
      expect(f?.evidence['decadesRise'] as number).toBeGreaterThan(3);
      expect(f?.steps?.[0]).toBeGreaterThanOrEqual(100);
    });

    it('a loss that jumps from its first logged value to 26x and stays there (camels v300) is an error', () => {
      const v = [0.61, ...curve(420, () => 16, 0.05, 3)];
      const [f] = run(runWith({ train_loss: v }));
      expect(f?.severity).toBe('error');
      expect(f?.steps?.[0]).toBe(0);
    });

    it('a loss rising steadily after an initial fall is an error from the minimum to the end', () => {
      const [f] = run(risingAfterFall());
      expect(f?.severity).toBe('error');
      expect(f?.steps?.[0]).toBeGreaterThanOrEqual(100);
      expect(f?.steps?.[0]).toBeLessThanOrEqual(140);
      expect(f?.steps?.[1]).toBe(399);
      expect(f?.evidence['relativeRise'] as number).toBeGreaterThan(0.5);
      expect(f?.evidence['threshold']).toBe(0.5);
      expect(f?.message).toMatch(/rises from 0\.\d+ at step \d+ to 1\.\d+ at step 399/);
    });

    it('is certain on a 6-point epoch curve', () => {
      const [f] = run(runWith({ 'train/loss': [1.0, 0.6, 0.5, 0.7, 0.9, 1.2] }, {}, 'epoch'));
      expect(f?.severity).toBe('error');
      expect(f?.steps).toEqual([2, 5]);
    });

    it('a loss rising from the very start (no initial drop) is judged against its level', () => {
      const [f] = run(runWith({ 'train/loss': curve(200, (i) => 2.3 + (3 * i) / 200, 0.1, 8) }));
      expect(f?.severity).toBe('error');
      expect(f?.evidence['initialDrop'] as number).toBeLessThan(0.5);
    });

    it('a moderate creep back up is a warning', () => {
      const f0 = (i: number): number => (i < 100 ? 0.5 + 1.5 * Math.exp(-i / 20) : 0.51 + (0.45 * (i - 100)) / 200);
      const [f] = run(runWith({ 'train/loss': curve(300, f0, 0.05, 9) }));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence['relativeRise'] as number).toBeGreaterThanOrEqual(0.2);
      expect(f?.evidence['relativeRise'] as number).toBeLessThan(0.5);
    });

    it('a rising negative loss is judged on its own drop', () => {
      const f0 = (i: number): number => (i < 100 ? -2 + 1.5 * Math.exp(-i / 20) : -2 + (1.5 * (i - 100)) / 200);
      const [f] = run(runWith({ 'train/loss': curve(300, f0, 0.05, 10) }));
      expect(f?.severity).toBe('error');
    });

    it('fires on a rise after an abrupt lr jump far above any earlier rate, and names the jump', () => {
      const lr = range(300, (i) => (i < 150 ? 1e-3 : 0.1));
      const loss = curve(300, (i) => (i < 150 ? 2 * Math.exp(-i / 30) + 0.3 : 1.6 + 0.2 * Math.exp(-(i - 150) / 60)), 0.05, 11);
      const [f] = run(runWith({ 'train/loss': loss, lr }));
      expect(f?.severity).toBe('error');
      expect(f?.evidence).toMatchObject({ lrJumpStep: 150, lrJumpFactor: 100 });
      expect(f?.message).toMatch(/lr jumped 100x at step 150/);
      // The same loss after a warm restart back to the earlier peak is the schedule's doing.
      const restart = range(300, (i) => (i < 150 ? 0.1 * (1 - i / 150) + 1e-4 : 0.1));
      expect(run(runWith({ 'train/loss': loss, lr: restart }))).toEqual([]);
    });

    it('fires with a constant lr curve present (nothing explains the rise)', () => {
      const [f] = run(risingAfterFall());
      expect(f?.evidence['lrTag']).toBe('lr');
    });
  });
});
