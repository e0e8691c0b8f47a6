import { describe, expect, it } from 'vitest';
import { curve } from '../test-support/runs.js';
import { ctxOf, flatAt, healthyShapes, kerasRunningMean, nanAt, risingAfterFall, runWith, stillFalling, underfit } from '../test-support/loss-shapes.js';
import { c4NotConverged } from './c4-not-converged.js';

const run = (r: ReturnType<typeof runWith>) => c4NotConverged.run(ctxOf(r));
const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));
const atWarningOrAbove = (r: ReturnType<typeof runWith>) => run(r).filter((f) => f.severity !== 'info');

describe('C4 not converged', () => {
  describe('valid: must not fire (at warning)', () => {
    const quiet: Array<readonly [string, () => ReturnType<typeof runWith>]> = [
      ['noisy per-batch decay that has converged', healthyShapes[0]![1]],
      ['warm-up spike then convergence', healthyShapes[1]![1]],
      ['step-LR drops', healthyShapes[3]![1]],
      ['negative loss converged', healthyShapes[4]![1]],
      ['6-point converged epoch curve', healthyShapes[5]![1]],
      ['one-point spike that recovers', healthyShapes[6]![1]],
      ['Keras running-mean batch loss', kerasRunningMean],
      ['flat at ln 10 (C1, not "train longer")', () => flatAt(2.302, 0.1)],
      ['diverging (C2)', risingAfterFall],
      ['NaN (C6)', () => nanAt(200)],
      ['underfit plateau (C10)', underfit],
      [
        'still falling but validation has turned up (overfitting: C3, not "train longer")',
        () => runWith({ 'train/loss': curve(400, (i) => 2.3 * Math.exp(-i / 300) + 0.1, 0.1, 24), 'val/loss': { steps: range(8, (k) => 50 * k + 49), values: [1.9, 1.5, 1.3, 1.2, 1.25, 1.35, 1.45, 1.6] } }),
      ],
    ];
    it.each(quiet)('%s', (_name, build) => {
      expect(run(build())).toEqual([]);
    });

    it('cosine warm restarts: at most info (the last cycle falls because the lr anneals)', () => {
      expect(atWarningOrAbove(healthyShapes[2]![1]())).toEqual([]);
    });
  });

  describe('invalid: must fire', () => {
    it('a loss still falling steeply at the end is a warning over the last quarter', () => {
      const [f] = run(runWith({ 'train/loss': curve(400, (i) => 2.3 - 0.004 * i, 0.1, 2) }));
      expect(f?.severity).toBe('warning');
      expect(f?.steps).toEqual([300, 399]);
      expect(f?.evidence['tailShare'] as number).toBeGreaterThan(0.2);
      expect(f?.evidence['tStatistic'] as number).toBeLessThan(-3);
      expect(f?.message).toMatch(/still falling at the end: .* over steps 300-399/);
    });

    it('an exponential decay still well short of its floor is info', () => {
      const [f] = run(stillFalling());
      expect(f?.severity).toBe('info');
      expect(f?.evidence['tailShare'] as number).toBeGreaterThanOrEqual(0.1);
      expect(f?.evidence['tailShare'] as number).toBeLessThan(0.2);
    });

    it('is caught on a 10-point epoch curve', () => {
      const [f] = run(runWith({ 'train/loss': [2.3, 2.1, 1.92, 1.75, 1.58, 1.42, 1.27, 1.12, 0.98, 0.85] }, {}, 'epoch'));
      expect(f?.severity).toBe('warning');
      expect(f?.steps).toEqual([7, 9]);
    });

    it('a validation loss still falling steadily counts even when train has slowed down', () => {
      const train = curve(1500, (i) => 0.4 + 0.6 * Math.exp(-i / 150) - 0.00003 * i, 0.1, 4);
      const val = { steps: range(15, (k) => 100 * k + 99), values: range(15, (k) => 0.64 - 0.021 * k) };
      const [f] = run(runWith({ 'train/loss': train, 'val/loss': val }));
      expect(f?.tags).toEqual(['train/loss', 'val/loss']);
      expect(f?.evidence['valTailShare'] as number).toBeGreaterThanOrEqual(0.1);
      expect(f?.message).toMatch(/^val\/loss is still falling/);
    });

    it('with a learning rate annealed to ~0 over the tail it is only info', () => {
      const r = runWith({ 'train/loss': curve(400, (i) => 2.3 * Math.exp(-i / 300) + 0.1, 0.1, 24), lr: range(400, (i) => 1e-3 * 0.5 * (1 + Math.cos((Math.PI * i) / 400))) });
      const [f] = run(r);
      expect(f?.severity).toBe('info');
      expect(f?.evidence['lrAnnealedInTail']).toBe(true);
    });
  });
});
