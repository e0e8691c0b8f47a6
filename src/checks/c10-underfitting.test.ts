import { beforeAll, describe, expect, it } from 'vitest';
import { resolveCurves } from '../telemetry/curves.js';
import type { Run } from '../telemetry/run.js';
import { loadRealRun } from '../test-support/real-runs.js';
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
      ['train loss falling only 20% and levelling off, validation beside it: high against its start, but no reference says what the task allows', underfit],
      ['validation slightly below train (dropout) at 0.66-0.74: no reference level', () => {
        const f0 = (i: number): number => 0.66 + 0.08 * Math.exp(-i / 15);
        return runWith({ train_loss: { steps: range(95, (i) => 49 + 50 * i), values: curve(95, f0, 0.05, 30) }, valid_loss: { steps: range(14, (k) => 340 + 341 * k), values: range(14, (k) => 0.65 + 0.03 * Math.exp(-k / 3)) } });
      }],
      ['epoch-level regression 0.853 -> 0.644 (75% of its start) with validation close: no reference level', () => {
        const train = [0.853, 0.754, 0.722, 0.707, 0.695, 0.688, 0.683, 0.677, 0.673, 0.667, 0.664, 0.662, 0.658, 0.657, 0.652, 0.651, 0.647, 0.647, 0.644];
        const valid = [0.774, 0.736, 0.714, 0.699, 0.715, 0.687, 0.678, 0.695, 0.671, 0.669, 0.674, 0.669, 0.661, 0.665, 0.656, 0.657, 0.659, 0.653, 0.654];
        return runWith({ 'train/loss': train, 'val/loss': valid }, {}, 'epoch');
      }],
      ['10 classes from ln 10 to 1.3 (56%) with validation close, but no accuracy logged: the start alone does not make it a classifier', () => {
        const f0 = (i: number): number => 1.3 + 1.0 * Math.exp(-i / 15);
        return runWith({ 'train/loss': curve(160, f0, 0.05, 53), 'val/loss': val(160, 20, (i) => f0(i) * 1.05) });
      }],
      ['a classifier starting at ln 3 that is still falling 10% over its last 20% (C4: train longer), at 60% of ln 3', () => {
        const f0 = (i: number): number => 0.55 + 0.55 * (1 - i / 200);
        return runWith({ 'train/loss': curve(160, f0, 0.02, 54), 'val/loss': val(160, 20, (i) => f0(i) * 1.05), 'train/accuracy': curve(160, (i) => 0.33 + 0.3 * (i / 160), 0.02, 55) });
      }],
      ['binary classifier parked at 0.313 = ln(1 + 1/e): a level hard binary tasks end at', () => runWith({ 'train/loss': curve(200, (i) => 0.313 + 0.4 * Math.exp(-i / 20), 0.03, 56), 'val/loss': val(200, 20, () => 0.33) })],
      ['3 classes passing through the double-softmax floor 0.551 on their way to 0.2', () => runWith({ 'train/loss': curve(200, (i) => 0.2 + 0.9 * Math.exp(-i / 40), 0.02, 57), 'val/loss': val(200, 20, (i) => 0.22 + 0.9 * Math.exp(-i / 40)) })],
      ['negative losses (no zero-based scale)', () => runWith({ 'train/loss': curve(300, (i) => -0.8 - 0.2 * Math.exp(-i / 50), 0.05), 'val/loss': val(300, 30, () => -0.8) })],
    ];
    it.each(valid)('%s', (_name, build) => {
      expect(run(build())).toEqual([]);
    });
  });

  describe('invalid: must fire', () => {
    it('parked at the double-softmax floor ln(1 + 9/e) = 1.461 for 10 epochs, no validation (tensorboardX MNIST, softmax + CrossEntropyLoss)', () => {
      const train = [1.488, 1.482, 1.485, 1.48, 1.492, 1.489, 1.505, 1.471, 1.478, 1.486];
      const [f] = run(runWith({ batch_loss: train }, {}, 'epoch'));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence).toMatchObject({ rule: 'double-softmax-floor', classes: 10, valEnd: null });
      expect(f?.evidence['floor'] as number).toBeCloseTo(1.4612, 3);
      expect(f?.message).toMatch(/floor of a double softmax for 10 classes, ln\(1 \+ 9\/e\) = 1\.461/);
    });

    it('the floor rule takes the class count from the metadata (5 classes: ln(1 + 4/e) = 0.904)', () => {
      const f0 = (i: number): number => 0.92 + 0.7 * Math.exp(-i / 10);
      const r = runWith({ 'train/loss': curve(200, f0, 0.02, 60), 'val/loss': val(200, 20, (i) => f0(i) * 1.01) }, { num_classes: 5 });
      const [f] = run(r);
      expect(f?.evidence).toMatchObject({ rule: 'double-softmax-floor', classes: 5, classesFromMeta: true });
    });

    it('a classifier (accuracy logged) starting at ln 10 levels off at 1.3 (56% of ln 10) with validation within 5%', () => {
      const f0 = (i: number): number => 1.3 + 1.0 * Math.exp(-i / 15);
      const [f] = run(runWith({ 'train/loss': curve(160, f0, 0.05, 53), 'val/loss': val(160, 20, (i) => f0(i) * 1.05), 'train/accuracy': curve(160, (i) => 0.1 + 0.4 * (1 - Math.exp(-i / 15)), 0.05, 61) }));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence).toMatchObject({ rule: 'chance-level', chanceFrom: 'start-at-chance', classes: 10, chanceShareThreshold: 0.5, gapThreshold: 0.25 });
      expect(f?.evidence['chanceLevel'] as number).toBeCloseTo(Math.log(10), 6);
      expect(f?.message).toMatch(/still 5\d% of the chance level ln\(10\) = 2\.303 it started at/);
    });

    it('a classifier with unscaled inputs starts far above ln 10 (3.1): its initial loss bounds ln(C) from above', () => {
      const f0 = (i: number): number => 1.93 + 1.2 * Math.exp(-i / 8);
      const [f] = run(runWith({ 'train/loss': curve(160, f0, 0.04, 62), 'val/loss': val(160, 20, (i) => f0(i) * 1.0), acc: curve(160, () => 0.2, 0.3, 63) }));
      expect(f?.evidence).toMatchObject({ rule: 'chance-level', chanceFrom: 'initial-loss', classes: null });
      expect(f?.evidence['chanceShare'] as number).toBeGreaterThan(0.5);
    });

    it('a metadata class count above the data\'s: the loss sits at ln 10 after its initial fall (num_classes 200 beside cifar10: W&B j49x533g)', () => {
      const train = [3.156, 2.343, 2.319, 2.313, 2.31, 2.307, 2.298, 2.244, 2.163, 2.11, 2.079, 2.042, 2.014, 1.975, 1.933, 1.889, 1.853, 1.823, 1.799, 1.78, 1.765, 1.754, 1.744, 1.739, 1.732, 1.727, 1.725, 1.722, 1.724, 1.723, 1.723, 1.722, 1.722, 1.723];
      const acc = train.map((_, i) => 10 + 0.8 * i); // train accuracy in percent: a classifier
      const meta = { num_classes: 200, dataset: 'cifar10' };
      const [f] = run(runWith({ train_loss: train, val_loss: train.map((l) => l * 0.985), train_acc: acc }, meta, 'epoch'));
      expect(f?.evidence).toMatchObject({ rule: 'chance-level', chanceFrom: 'sits-below-meta', classes: 10, metaClasses: 200 });
      expect(f?.message).toMatch(/ln\(10\) = 2\.303 it sat at after its initial fall \(the metadata's 200 classes are more than the data has\)/);
      // Falling through ln 10 without sitting there (a 200-class run): the metadata's ln 200 stands, and 1.72 is a third of it.
      const through = train.map((l, i) => (i < 8 ? 5.3 - 0.45 * i : l));
      expect(run(runWith({ train_loss: through, val_loss: through.map((l) => l * 0.985), train_acc: acc }, meta, 'epoch'))).toEqual([]);
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
  });
});


describe('C10 on real runs', () => {
  const runs = new Map<string, Run>();
  const cases = {
    mnistDoubleSoftmax: 'tensorboard/mnist_tensorboardx/runs/classifier_mnist_0915/events.out.tfevents.1600154976.yca-2662-2',
    insuranceLearned: 'tensorboard/henry_tabular/lightning_logs/version_52',
    irisStillFalling: 'tensorboard/henry_tabular/lightning_logs/version_17',
    retentionConverged: 'lightning_csv/retention_time/lightning_logs/version_51/metrics.csv',
    yoloContinuation: 'tensorboard/fsoco_yolov5/runs/train/exp10',
  } as const;
  beforeAll(async () => {
    for (const [k, rel] of Object.entries(cases)) runs.set(k, await loadRealRun(rel));
  });
  const check = (k: keyof typeof cases) => {
    const r = runs.get(k) as Run;
    return c10Underfitting.run({ run: r, curves: resolveCurves(r) });
  };

  it('fires on a double softmax stuck at 1.486 whose step is the epoch (batch_loss logged 3 times per global_step)', () => {
    expect(check('mnistDoubleSoftmax')[0]?.evidence).toMatchObject({ rule: 'double-softmax-floor', classes: 10 });
  });
  it('stays quiet on a 1e8 MSE regression that learned (no ln(1000) for a loss that starts at 3.5e8)', () => {
    expect(check('insuranceLearned')).toEqual([]);
  });
  it('stays quiet on Iris at 0.71 still falling (C4) although it starts at ln 4', () => {
    expect(check('irisStillFalling')).toEqual([]);
  });
  it('stays quiet on a regression converged at 65% of its start and a fine-tune continuation at 90% of it', () => {
    expect(check('retentionConverged')).toEqual([]);
    expect(check('yoloContinuation')).toEqual([]);
  });
});
