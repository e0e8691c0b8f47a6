import { describe, expect, it } from 'vitest';
import { createRun, runSink } from '../telemetry/run.js';
import { labelRun } from './labeller.js';
import { toJsonl, toKerasCsv, toLightningCsv } from './exporters.js';

function makeRun(loss: (s: number) => number, n = 100, extra: (sink: ReturnType<typeof runSink>, s: number) => void = () => undefined) {
  const run = createRun('r', 'tfjs');
  const sink = runSink(run);
  for (let s = 0; s < n; s++) {
    if (s % 10 === 0) sink.scalar('epoch', s, s / 10, NaN);
    sink.scalar('loss', s, loss(s), NaN);
    if (s % 10 === 9) {
      sink.scalar('val_loss', s, loss(s), NaN);
      sink.scalar('epoch_loss', s / 10 - 0.9, loss(s), NaN, 'epoch');
    }
    extra(sink, s);
  }
  return run;
}
const ctx = { classes: 10, stepsPerEpoch: 10 };
const noise = (s: number): number => 0.02 * Math.sin(s * 12.9898) * 43758.5453 % 0.02;

describe('labelRun', () => {
  it('labels a healthy falling curve: nothing must fire', () => {
    const labels = labelRun(makeRun((s) => 2.3 * Math.exp(-s / 25) + 0.1 + noise(s)), ctx);
    expect(Object.entries(labels).filter(([, l]) => l.expect === 'must')).toEqual([]);
    expect(labels['C1']?.expect).toBe('mustNot');
    expect(labels['C6']?.expect).toBe('mustNot');
  });

  it('labels a NaN at step 30: C6 and T1 must fire with onset 30', () => {
    const labels = labelRun(makeRun((s) => (s >= 30 ? NaN : 2.3 - s * 0.01)), ctx);
    expect(labels['C6']).toMatchObject({ expect: 'must', onset: 30 });
    expect(labels['T1']).toMatchObject({ expect: 'must', onset: 30 });
  });

  it('labels a flat loss C1, a rising loss C2 (from what the curve did, whatever the fault)', () => {
    expect(labelRun(makeRun(() => 2.3 + noise(0)), ctx)['C1']?.expect).toBe('must');
    const rising = labelRun(makeRun((s) => 0.5 + s * 0.05), ctx);
    expect(rising['C2']?.expect).toBe('must');
    expect(rising['C1']?.expect).toBe('either');
  });

  it('labels a parameter whose update ratio is always 0 as T9, and a dead ReLU layer as T5', () => {
    const run = makeRun((s) => 2.3 * Math.exp(-s / 25) + 0.1, 100, (sink, s) => {
      if (s % 10 !== 0) return;
      sink.scalar('weight_norm/hidden1/kernel', s, 3, NaN);
      sink.scalar('update_ratio/hidden1/kernel', s, 0, NaN);
      sink.scalar('act_dead_frac/hidden1', s, s >= 40 ? 1 : 0.1, NaN);
    });
    const labels = labelRun(run, ctx);
    expect(labels['T9']).toMatchObject({ expect: 'must', onset: 0 });
    expect(labels['T5']).toMatchObject({ expect: 'must', onset: 40 });
  });
});

describe('exporters', () => {
  const run = makeRun((s) => (s === 95 ? NaN : 1 / (s + 1)));
  it('write Lightning CSV, Keras CSV and JSONL with non-finite values spelled as Python does', () => {
    const lightning = toLightningCsv(run).split('\n');
    expect(lightning[0]).toBe('epoch,step,train_loss,train_acc,val_loss,val_acc');
    expect(lightning).toContain('9,95,nan,,,');
    expect(toKerasCsv(run).split('\n')[0]).toBe('epoch,loss');
    expect(toJsonl(run)).toContain('{"step": 95, "epoch": 9, "train/loss": NaN}');
  });
});

describe('labelRun, gradients', () => {
  it('labels T3 when the first-layer gradient is ~0 for the last third of the run', () => {
    const run = makeRun((s) => 2.3 * Math.exp(-s / 25) + 0.1, 100, (sink, s) => {
      if (s % 10 !== 0) return;
      sink.scalar('grad_norm/hidden1/kernel', s, s >= 50 ? 0 : 0.5, NaN);
      sink.scalar('grad_norm/output/kernel', s, 0.5, NaN);
    });
    expect(labelRun(run, ctx)['T3']).toMatchObject({ expect: 'must', onset: 50 });
  });
});

describe('labelRun, late rise, overfitting and learning-rate schedules', () => {
  it('labels a loss that falls, then climbs back up halfway as C2 with the onset halfway up the rise', () => {
    const labels = labelRun(makeRun((s) => (s < 50 ? 2.3 * Math.exp(-s / 10) + 0.1 : 0.2 + (s - 50) * 0.04)), ctx);
    expect(labels['C2']?.expect).toBe('must');
    expect(labels['C2']?.onset).toBeGreaterThan(50);
    expect(labels['C2']?.onset).toBeLessThan(80);
    // A loss that falls and stays down is clearly not diverging.
    expect(labelRun(makeRun((s) => 2.3 * Math.exp(-s / 10) + 0.1), ctx)['C2']?.expect).toBe('mustNot');
  });

  it('does not call an epoch-periodic loss a rise (the window spans an epoch)', () => {
    const periodic = labelRun(makeRun((s) => 0.8 + 0.6 * Math.sin((2 * Math.PI * s) / 10)), ctx);
    expect(periodic['C2']?.expect).not.toBe('must');
  });

  it('labels an epoch-periodic loss C7, but leaves a 2-step epoch unscored (indistinguishable from zig-zag)', () => {
    const periodic = (s: number): number => 0.8 + 0.3 * Math.sin((2 * Math.PI * s) / 10) + noise(s);
    expect(labelRun(makeRun(periodic), ctx)['C7']?.expect).toBe('must');
    const zigzag = (s: number): number => 0.8 + (s % 2 === 0 ? 0.2 : -0.2);
    expect(labelRun(makeRun(zigzag), { ...ctx, stepsPerEpoch: 2 })['C7']).toMatchObject({ expect: 'either', why: expect.stringMatching(/too short/) });
  });

  it('labels C3 when the validation loss turns up while training loss falls, and not while both fall', () => {
    const run = createRun('r', 'tfjs');
    const sink = runSink(run);
    for (let s = 0; s < 100; s++) {
      sink.scalar('loss', s, 2.3 * Math.exp(-s / 20), NaN);
      if (s % 10 === 9) sink.scalar('val_loss', s, s < 30 ? 2.3 - s * 0.04 : 1.1 + (s - 30) * 0.03, NaN);
    }
    expect(labelRun(run, ctx)['C3']).toMatchObject({ expect: 'must', onset: 29 });
    expect(labelRun(makeRun((s) => 2.3 * Math.exp(-s / 25) + 0.1), ctx)['C3']?.expect).toBe('mustNot');
  });

  it('labels T10 when the learning rate is ~0 long before the end, not for a constant one', () => {
    const withLr = (lr: (s: number) => number) => makeRun((s) => 2.3 * Math.exp(-s / 25) + 0.1, 100, (sink, s) => sink.scalar('lr', s, lr(s), NaN));
    expect(labelRun(withLr((s) => 1e-3 * 1e-6 ** (s / 100)), ctx)['T10']).toMatchObject({ expect: 'must', onset: 34 });
    expect(labelRun(withLr(() => 1e-3), ctx)['T10']?.expect).toBe('mustNot');
    expect(labelRun(withLr((s) => 1e-3 * (1 - s / 99)), ctx)['T10']?.expect).not.toBe('must');
  });

  it('takes the first conv or recurrent kernel as the input-side layer for T3', () => {
    const run = makeRun((s) => 2.3 * Math.exp(-s / 25) + 0.1, 100, (sink, s) => {
      if (s % 10 !== 0) return;
      sink.scalar('grad_norm/conv1/kernel', s, 1e-5, NaN);
      sink.scalar('grad_norm/hidden1/kernel', s, 0.5, NaN);
      sink.scalar('grad_norm/output/kernel', s, 0.5, NaN);
    });
    expect(labelRun(run, ctx)['T3']?.expect).toBe('must');
  });
});

describe('labelRun, spikes and negative learning rates', () => {
  it('counts transient spikes for C9, not a jump to a level that stays', () => {
    const spiky = labelRun(makeRun((s) => (s > 20 && s % 15 === 0 ? 3 : 0.5)), ctx);
    expect(spiky['C9']?.expect).toBe('must');
    const jump = labelRun(makeRun((s) => (s < 50 ? 0.5 : 2.2)), ctx);
    expect(jump['C9']?.expect).not.toBe('must');
  });

  it('labels a negative learning rate T10 from its first negative step', () => {
    const run = makeRun((s) => 0.5 + s * 0.05, 100, (sink, s) => sink.scalar('lr', s, s < 10 ? 1e-3 : -1e-3, NaN));
    expect(labelRun(run, ctx)['T10']).toMatchObject({ expect: 'must', onset: 10 });
  });
});

describe('labelRun, fatal divergence', () => {
  it('marks a C2 whose loss at least doubles from its low as fatal, and a 20% creep at a saturated level as not', () => {
    expect(labelRun(makeRun((s) => (s < 50 ? 2.3 * Math.exp(-s / 10) + 0.1 : 0.2 + (s - 50) * 0.04)), ctx)['C2']).toMatchObject({ expect: 'must', fatal: true });
    const creep = labelRun(makeRun((s) => 12.5 + s * 0.025 + 0.3 * Math.sin(s)), ctx)['C2'];
    expect(creep?.expect).toBe('must');
    expect(creep?.fatal).toBeUndefined();
  });
});

describe('labelRun, gradients of a saturated network', () => {
  it('does not score T3 when every kernel gets ~no gradient (saturation), but does when only the first one does', () => {
    const grads = (first: number, output: number) =>
      makeRun((s) => 2.3 * Math.exp(-s / 25) + 0.1, 100, (sink, s) => {
        if (s % 10 !== 0) return;
        sink.scalar('grad_norm/hidden1/kernel', s, s >= 20 ? first : 0.5, NaN);
        sink.scalar('grad_norm/output/kernel', s, s >= 20 ? output : 0.5, NaN);
      });
    expect(labelRun(grads(2e-6, 1e-6), ctx)['T3']?.expect).toBe('either');
    expect(labelRun(grads(2e-6, 0.5), ctx)['T3']?.expect).toBe('must');
  });
});
