import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { realLabelledPath } from '../test-support/real-runs.js';
import { curve } from '../test-support/runs.js';
import { ctxOf, flatAt, healthyShapes, kerasRunningMean, nanAt, risingAfterFall, runWith, stillFalling, underfit } from '../test-support/loss-shapes.js';
import { c4NotConverged } from './c4-not-converged.js';

/** One column of 2500 training losses, no header (enriquemondragon/nebulae-nn, in the labelled real set beside the clone). */
const NEBULAE = realLabelledPath('lightning_csv/nebulae_nn/models/history.csv');
const run = (r: ReturnType<typeof runWith>) => c4NotConverged.run(ctxOf(r));
const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));
const atWarningOrAbove = (r: ReturnType<typeof runWith>) => run(r).filter((f) => f.severity !== 'info');

describe('C4 not converged', () => {
  describe('valid: must not fire (at warning)', () => {
    const quiet: Array<readonly [string, () => ReturnType<typeof runWith>]> = [
      ['step-LR drops', healthyShapes[3]![1]],
      ['negative loss converged', healthyShapes[4]![1]],
      ['6-point converged epoch curve', healthyShapes[5]![1]],
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

    it('one-point spike that recovers: judged on the tail only, never on the spike', () => {
      for (const f of run(healthyShapes[6]![1]())) expect(f.steps?.[0]).toBeGreaterThanOrEqual(240);
    });

    it('a val loss falling under 1% of its level over the last fifth is a slow drift (oligogym v115: 0.8%)', () => {
      const train = curve(400, (i) => 0.05 + 0.5 * Math.exp(-i / 60), 0.4, 31);
      const val = { steps: range(100, (k) => 4 * k + 3), values: range(100, (k) => 0.2 + 0.3 * Math.exp(-k / 15) + 0.002 * (1 - k / 100)) };
      expect(run(runWith({ 'train/loss': train, 'val/loss': val }))).toEqual([]);
    });

    it('train still falling while val bottomed out mid-run and wanders since (a widening gap, not "train longer")', () => {
      const train = range(60, (e) => 0.2 + 1.7 * Math.exp(-e / 15));
      const val = range(60, (e) => 0.8 + 0.6 * Math.exp(-e / 5) + 0.01 * Math.sin(e * 1.3) + (e > 30 ? 0.0005 * (e - 30) : 0));
      expect(run(runWith({ loss: train, val_loss: val }, {}, 'epoch'))).toEqual([]);
    });

    it('val rising from its first epoch while train falls (nlp_binary 53b8177, 6 epochs: C3, not C4)', () => {
      const r = runWith({ loss: [0.211, 0.1702, 0.1412, 0.1222, 0.1159, 0.0957], val_loss: [0.3397, 0.3615, 0.3926, 0.4584, 0.4252, 0.4855] }, {}, 'epoch');
      expect(run(r)).toEqual([]);
    });

    it('val turned up after batch-norm warm-up spikes while train keeps falling (pathologygan 10%: C3, not C4)', () => {
      const train = range(140, (e) => 0.1 + 0.4 * Math.exp(-e / 40));
      const val = range(140, (e) => (e >= 2 && e <= 4 ? 3.5 : e < 40 ? 0.7 - 0.006 * e : 0.46 + 0.0022 * (e - 40)));
      expect(run(runWith({ loss: train, val_loss: val }, {}, 'epoch'))).toEqual([]);
    });
  });

  describe('invalid: must fire', () => {
    it('a loss still falling steeply at the end is a warning over the last fifth', () => {
      const [f] = run(runWith({ 'train/loss': curve(400, (i) => 2.3 - 0.004 * i, 0.1, 2) }));
      expect(f?.severity).toBe('warning');
      expect(f?.steps).toEqual([320, 399]);
      expect(f?.evidence['dropOverFraction'] as number).toBeGreaterThan(0.2);
      expect(f?.evidence['tStatistic'] as number).toBeLessThan(-(f?.evidence['tCritical'] as number));
      expect(f?.message).toMatch(/still falling at the end: .* over steps 320-399/);
    });

    it('an exponential decay still well short of its floor is a warning', () => {
      const [f] = run(stillFalling());
      expect(f?.severity).toBe('warning');
      expect(f?.evidence['dropOverFraction'] as number).toBeGreaterThanOrEqual(0.03);
    });

    // Shapes built as "healthy" for the other curve checks whose loss still falls by 3% or more of its level over the
    // last fifth, lowest at the end: by the catalogue's labelling rule that is "not converged" (the nebulae-nn run,
    // a smooth decay at -4.1% per last fifth and -2.0% per last tenth, is labelled so).
    it.each([
      ['noisy per-batch decay: val still -3.7% over the last fifth', healthyShapes[0]![1]],
      ['warm-up spike then decay: still -5% over the last fifth', healthyShapes[1]![1]],
      ['Keras running-mean batch loss: still -20% over the last fifth', kerasRunningMean],
    ] as Array<[string, () => ReturnType<typeof runWith>]>)('%s is not converged (warning)', (_name, build) => {
      const [f] = run(build());
      expect(f?.severity).toBe('warning');
      expect(f?.evidence['dropOverFraction'] as number).toBeGreaterThanOrEqual(0.03);
    });

    it.skipIf(!existsSync(NEBULAE))('a smooth decay at -4% per fifth of a 2500-point run, -2% per tenth, is still not converged (nebulae-nn, real file)', () => {
      const loss = readFileSync(NEBULAE, 'utf8').trim().split('\n').map(Number);
      const [f] = run(runWith({ loss }));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence['dropOverFraction'] as number).toBeLessThan(0.06);
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
      expect(f?.evidence['valDropOverFraction'] as number).toBeGreaterThanOrEqual(0.03);
      expect(f?.message).toMatch(/^val\/loss is still falling/);
    });

    it('val still falling with a sparse, noisy train loss (oligogym v1: 8 train points, val -15% over the last fifth, lowest at the end)', () => {
      const train = { steps: range(8, (k) => 50 * k + 49), values: [0.874, 0.7388, 0.522, 0.4978, 0.2669, 0.3989, 0.1236, 0.1163] };
      const v = [3.632, 2.116, 1.001, 0.8758, 1.194, 0.9834, 0.7767, 0.8002, 0.8177, 0.774, 0.7482, 0.7567, 0.7681, 0.7418, 0.7271, 0.7223, 0.7175, 0.7169, 0.7172, 0.7135, 0.7065, 0.7047, 0.7016, 0.7002, 0.7055, 0.7041, 0.6977, 0.6958, 0.6972, 0.7016, 0.6929, 0.6922, 0.7009, 0.7025, 0.6984, 0.6853, 0.6905, 0.7016, 0.6891, 0.6761, 0.6854, 0.6863, 0.6728, 0.6661, 0.6637, 0.6761, 0.6724, 0.6426, 0.6381, 0.6523, 0.6287, 0.6368, 0.6205, 0.6044, 0.6104, 0.6166, 0.5872, 0.5794, 0.5968, 0.5662, 0.5788, 0.568, 0.5476, 0.5767, 0.5418, 0.536, 0.5391, 0.5351, 0.5158, 0.5384, 0.5047, 0.5007, 0.5341, 0.4895, 0.4976, 0.5212, 0.4793, 0.4703, 0.4994, 0.473, 0.4628, 0.4614, 0.4767, 0.4535, 0.4465, 0.4556, 0.4351, 0.4364, 0.4741, 0.4247, 0.4391, 0.4387, 0.4188, 0.4208, 0.4168, 0.4217, 0.414, 0.4121, 0.4095, 0.4105];
      const [f] = run(runWith({ train_loss: train, val_loss: { steps: range(100, (k) => 4 * k + 3), values: v } }));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence['curve']).toBe('val_loss');
      expect(f?.evidence['dropOverFraction'] as number).toBeGreaterThan(0.1);
    });

    it('a 20-point val curve at its minimum at the end with a noisy per-step train loss (mnist_pl CNN_v3)', () => {
      const train = { steps: range(360, (i) => 50 * i + 49), values: curve(360, (i) => 0.05 + 0.5 * Math.exp(-i / 40), 0.9, 33) };
      const v = [0.2657, 0.2393, 0.194, 0.1711, 0.164, 0.1481, 0.1587, 0.1418, 0.148, 0.1423, 0.1296, 0.1324, 0.1248, 0.1243, 0.1202, 0.1206, 0.1302, 0.1177, 0.1102, 0.1104];
      const [f] = run(runWith({ train_loss: train, val_loss: { steps: range(20, (k) => 900 * k + 899), values: v } }));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence['curve']).toBe('val_loss');
    });

    it('a short epoch run whose last 4 points fall strictly is caught by the rank test (t-test with 1 dof has no power)', () => {
      const [f] = run(runWith({ loss: [1.9, 1.2, 0.95, 0.86, 0.8, 0.75, 0.71], val_loss: [1.7, 1.2, 1.0, 0.92, 0.87, 0.845, 0.8] }, {}, 'epoch'));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence['curve']).toBe('val_loss');
      expect(f?.message).toMatch(/strictly falling run of 4 points/);
    });

    it('a short epoch run flattening out (0.86, 0.85, 0.845: under 3% per fifth) is quiet', () => {
      expect(run(runWith({ loss: [1.9, 1.2, 0.95, 0.86, 0.8, 0.78, 0.77], val_loss: [1.7, 1.2, 1.0, 0.92, 0.86, 0.85, 0.845] }, {}, 'epoch'))).toEqual([]);
    });

    it('train clearly falling, noisy val at its lowest near the end and not rising beyond its noise (anime triplet c326908)', () => {
      const r = runWith(
        {
          train_loss: [0.907, 0.3386, 0.2022, 0.1538, 0.1507, 0.1231, 0.1177, 0.0973, 0.1023, 0.0692, 0.0785, 0.0763, 0.071, 0.0546, 0.042, 0.0504, 0.0499, 0.0571, 0.0412, 0.036, 0.0473, 0.0438, 0.0343, 0.0371, 0.0335],
          valid_loss: [0.5102, 0.293, 0.2394, 0.1665, 0.1843, 0.1505, 0.1494, 0.1939, 0.1643, 0.1854, 0.1568, 0.1336, 0.1642, 0.1511, 0.1309, 0.1209, 0.1188, 0.1449, 0.157, 0.1252, 0.1106, 0.1077, 0.1042, 0.1533, 0.1137],
        },
        {},
        'epoch',
      );
      const [f] = run(r);
      expect(f?.severity).toBe('warning');
      expect(f?.evidence['curve']).toBe('train_loss');
    });

    it('with a learning rate annealed to ~0 over the tail it is only info', () => {
      const r = runWith({ 'train/loss': curve(400, (i) => 2.3 * Math.exp(-i / 300) + 0.1, 0.1, 24), lr: range(400, (i) => 1e-3 * 0.5 * (1 + Math.cos((Math.PI * i) / 400))) });
      const [f] = run(r);
      expect(f?.severity).toBe('info');
      expect(f?.evidence['lrAnnealedInTail']).toBe(true);
    });
  });
});
