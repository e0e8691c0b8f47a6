import { beforeAll, describe, expect, it } from 'vitest';
import { resolveCurves } from '../telemetry/curves.js';
import type { Run } from '../telemetry/run.js';
import { loadRealRun } from '../test-support/real-runs.js';
import { curve, runFrom } from '../test-support/runs.js';
import { ctxOf, flatAt, healthyShapes, lateDrop, nanAt, risingAfterFall, runWith, stillFalling, underfit } from '../test-support/loss-shapes.js';
import { c1NotLearning } from './c1-not-learning.js';

const run = (r: ReturnType<typeof runWith>) => c1NotLearning.run(ctxOf(r));

describe('C1 not learning', () => {
  describe('valid: must not fire', () => {
    const valid: Array<readonly [string, () => ReturnType<typeof runWith>]> = [
      ...healthyShapes,
      ['loss rising after a fall (that is C2)', risingAfterFall],
      ['still falling (C4)', stillFalling],
      ['late drop after a plateau (C5)', lateDrop],
      ['underfit: falls 20% then plateaus (C10)', underfit],
      ['loss NaN from step 2 (C6 speaks)', () => nanAt(2)],
      ['binary classifier starting at ln 2 and learning', () => runWith({ 'train/loss': curve(180, (i) => 0.69 * Math.exp(-i / 200), 0.1, 3) })],
      ['falls from 2.6 past ln 10 and settles at ln 4 = 1.386: it learned past the chance level its start allows', () => runWith({ 'train/loss': curve(160, (i) => 1.386 + 1.2 * Math.exp(-i / 15), 0.05, 41) })],
      ['passes through ln 10 on its way down (falls 3.2 -> 1.0)', () => runWith({ 'train/loss': curve(160, (i) => 1.0 + 2.2 * Math.exp(-i / 40), 0.05, 42) })],
      ['went clearly below chance (1.6) before climbing back to 2.30 (that is C2, not C1)', () => runWith({ 'train/loss': curve(160, (i) => (i < 60 ? 2.3 - 0.7 * Math.sin((Math.PI * i) / 60) : 2.303), 0.03, 43) })],
      ['starts at ln 10 and falls 9% but keeps falling over a wide range (not contained)', () => runWith({ 'train/loss': curve(160, (i) => 2.3 - 0.4 * (i / 160) ** 3, 0.01, 44) })],
    ];
    it.each(valid)('%s', (_name, build) => {
      expect(run(build())).toEqual([]);
    });

    it('a noisy per-batch train loss that falls significantly beside a flat validation loss is not C1 (it learns the train set)', () => {
      const steps = Array.from({ length: 40 }, (_, i) => 49 + 50 * i);
      const train = curve(40, (i) => 1.6 - 0.8 * (i / 40), 0.3, 71);
      const valSteps = Array.from({ length: 10 }, (_, k) => 199 + 200 * k);
      expect(run(runWith({ train_loss: { steps, values: train }, valid_loss: { steps: valSteps, values: valSteps.map(() => 1.05) } }))).toEqual([]);
    });

    it('returns nothing without a train loss', () => {
      expect(run(runFrom({ 'val/loss': [1, 1, 1, 1] }))).toEqual([]);
    });
  });

  describe('invalid: must fire', () => {
    it('flat at ln(10) = 2.302 under 10% noise is an error naming the chance level', () => {
      const [f] = run(flatAt(2.302, 0.1));
      expect(f?.severity).toBe('error');
      expect(f?.steps).toEqual([0, 499]);
      expect(f?.evidence['referenceName']).toBe('ln(10)');
      expect(Math.abs(f?.evidence['relativeChange'] as number)).toBeLessThan(0.05);
      expect(f?.message).toMatch(/step 0 to 499.*ln\(10\)/);
    });

    it('flat at ln(10) under 30% per-batch noise is still an error', () => {
      const [f] = run(flatAt(2.302, 0.3, 1000, 5));
      expect(f?.severity).toBe('error');
      expect(f?.evidence['referenceName']).toBe('ln(10)');
    });

    it('an 8-point epoch curve parked at ln 2 is an error (short curves are certain)', () => {
      const [f] = run(runWith({ 'train/loss': [0.694, 0.693, 0.695, 0.692, 0.693, 0.694, 0.693, 0.692] }, {}, 'epoch'));
      expect(f?.severity).toBe('error');
      expect(f?.evidence['referenceName']).toBe('ln(2)');
      expect(f?.steps).toEqual([0, 7]);
    });

    it('takes the class count from the metadata (7 classes: ln 7 = 1.946)', () => {
      const r = runWith({ 'train/loss': curve(300, () => 1.946, 0.05, 9) }, { output_dim: 7, loss: 'CrossEntropyLoss' });
      const [f] = run(r);
      expect(f?.severity).toBe('error');
      expect(f?.evidence['referenceName']).toBe('ln(7)');
      expect(f?.evidence['referenceLevel']).toBeCloseTo(Math.log(7), 6);
    });

    it('waits for a step-level curve to span 100 steps (a healthy CNN sat at ln 10 for its first 20 steps)', () => {
      const young = run(runWith({ 'train/loss': curve(20, () => 2.303, 0.01, 7) }));
      expect(young).toHaveLength(1);
      expect(young[0]).toMatchObject({ severity: 'info', evidence: { insufficientData: true, points: 20, needed: 100 } });
      expect(young[0]?.message).toMatch(/spans 20 steps; C1 needs at least 100/);
      expect(run(runWith({ 'train/loss': curve(120, () => 2.303, 0.01, 7) }))[0]?.severity).toBe('error');
      // epoch-level curves are judged from 5 points
      expect(run(runWith({ 'train/loss': [2.31, 2.3, 2.302, 2.305, 2.301, 2.3] }, {}, 'epoch'))[0]?.severity).toBe('error');
    });

    it('a loss that does not move at all is an error even off any chance level', () => {
      const [f] = run(runWith({ 'train/loss': Array.from({ length: 150 }, () => 3.7) }));
      expect(f?.severity).toBe('error');
      expect(f?.message).toMatch(/does not move/);
    });

    it('barely moving (0.90 -> 0.87, 3%) off any reference is a warning (forest-cover per-step losses)', () => {
      const values = [0.906, 0.902, 0.899, 0.893, 0.918, 0.889, 0.86, 0.872, 0.846, 0.85, 0.886, 0.856, 0.883, 0.834, 0.865, 0.883,
        0.842, 0.883, 0.825, 0.884, 0.895, 0.864, 0.835, 0.839, 0.852, 0.876, 0.902, 0.852, 0.859, 0.865, 0.856, 0.838, 0.874, 0.849,
        0.884, 0.851, 0.868, 0.892, 0.875, 0.866, 0.883, 0.895, 0.904, 0.882, 0.87, 0.853, 0.875];
      const [f] = run(runWith({ 'train/loss': { steps: values.map((_, i) => 49 + 50 * i), values } }, { output_dim: 7, loss: 'CrossEntropyLoss' }));
      expect(f?.severity).toBe('warning');
      expect(f?.steps).toEqual([49, 2349]);
      expect(f?.evidence['referenceName']).toBeNull();
      expect(f?.evidence['relativeChange']).toBeCloseTo(0.03, 2);
      expect(f?.evidence['classesFromMeta']).toBe(7);
      expect(f?.message).toMatch(/below the uniform-chance level ln\(7\) = 1\.946/);
      expect(f?.evidence['threshold']).toBe(0.05);
    });

    it('judges only the finite prefix of a curve that goes NaN', () => {
      const values = [...curve(100, () => 2.302, 0.05, 4), NaN, NaN];
      const [f] = run(runWith({ 'train/loss': values }));
      expect(f?.severity).toBe('error');
      expect(f?.steps).toEqual([0, 99]);
    });

    it('falls from a bad initial loss to ln 10 and parks there (heavy dropout: 3.17 -> 2.30) is an error', () => {
      const [f] = run(runWith({ 'train/loss': curve(160, (i) => 2.303 + 0.87 * Math.exp(-i / 8), 0.04, 45) }));
      expect(f?.severity).toBe('error');
      expect(f?.steps).toEqual([80, 159]);
      expect(f?.evidence).toMatchObject({ pattern: 'parked-after-fall', referenceName: 'ln(10)', referenceTolerance: 0.03, belowChanceLimit: 0.1 });
      expect(f?.message).toMatch(/falls from 2\.6\d+ to the chance level .* step 80 to 159 .* parked at ln\(10\) = 2\.303/);
    });

    it('tanh/SGD on unscaled inputs: 2.61 -> 2.29, wiggling around ln 10, is an error', () => {
      const [f] = run(runWith({ 'train/loss': curve(160, (i) => 2.3 + 0.3 * Math.exp(-i / 20) + 0.03 * Math.sin(i / 3), 0.05, 46) }));
      expect(f?.severity).toBe('error');
      expect(f?.evidence['pattern']).toBe('parked-after-fall');
    });

    it('an 8-point epoch curve 3.18 -> 2.31 parked at ln 10 is an error (keras CSV)', () => {
      const [f] = run(runWith({ 'train/loss': [3.18, 2.38, 2.33, 2.31, 2.31, 2.32, 2.31, 2.31] }, {}, 'epoch'));
      expect(f?.severity).toBe('error');
      expect(f?.steps).toEqual([4, 7]);
      expect(f?.evidence['referenceName']).toBe('ln(10)');
    });

    it('starts at ln 10 and falls only 5.5% (2.34 -> 2.21, frozen hidden layers) is an error', () => {
      const [f] = run(runWith({ 'train/loss': curve(160, (i) => 2.2 + 0.16 * Math.exp(-i / 40), 0.01, 47) }));
      expect(f?.severity).toBe('error');
      expect(f?.evidence).toMatchObject({ pattern: 'near-chance', referenceName: 'ln(10)', threshold: 0.1, referenceTolerance: 0.06 });
      expect(f?.message).toMatch(/starts at ln\(10\) = 2\.303, the chance level for 10 classes, and barely leaves it/);
      expect(f?.steps).toEqual([0, 159]);
    });

    it('7 epoch points at global steps 3..27 (4 steps per epoch) are judged: the epoch counter says each point is an epoch', () => {
      const steps = [3, 7, 11, 15, 19, 23, 27];
      const r = runWith({ train_loss: { steps, values: [1.155, 1.155, 1.166, 1.149, 1.156, 1.156, 1.161] }, epoch: { steps, values: [0, 1, 2, 3, 4, 5, 6] } });
      const [f] = run(r);
      expect(f?.severity).not.toBe('info');
      expect(f?.evidence['insufficientData']).toBeUndefined();
      expect(f?.steps).toEqual([3, 27]);
      // the same points without an epoch counter are the first 27 steps of a young run
      expect(run(runWith({ train_loss: { steps, values: [1.155, 1.155, 1.166, 1.149, 1.156, 1.156, 1.161] } }))[0]?.evidence['insufficientData']).toBe(true);
    });

    it('a step counter that repeats (3 losses per step: the writer was given the epoch) is judged like epochs', () => {
      const steps = Array.from({ length: 30 }, (_, i) => Math.floor(i / 3));
      const values = curve(30, () => 1.49, 0.01, 72);
      const [f] = run(runWith({ batch_loss: { steps, values } }));
      expect(f?.evidence['insufficientData']).toBeUndefined();
      expect(f?.severity).toBe('warning');
    });

    it('validation flat from its first evaluation while the per-batch train loss is noise around one level is a warning (standardised regression)', () => {
      const steps = Array.from({ length: 15 }, (_, i) => 49 + 50 * i);
      const train = [1.757, 0.6945, 0.6343, 0.7767, 1.163, 0.5758, 0.3178, 0.4269, 0.8431, 2.323, 0.8176, 0.438, 2.308, 0.4878, 0.8061];
      const valSteps = [93, 187, 281, 375, 469, 563, 657, 751];
      const valid = [1.054, 1.05, 1.049, 1.049, 1.048, 1.047, 1.047, 1.047];
      const [f] = run(runWith({ train_loss: { steps, values: train }, valid_loss: { steps: valSteps, values: valid } }));
      expect(f?.severity).toBe('warning');
      expect(f?.steps).toEqual([93, 751]);
      expect(f?.evidence).toMatchObject({ pattern: 'flat-with-validation', trainShiftThreshold: 2 });
      expect(Math.abs(f?.evidence['trainShiftT'] as number)).toBeLessThan(2);
      expect(f?.message).toMatch(/valid_loss stays flat from its first evaluation at step 93 to 751.*train_loss is noise around one level.*neither split improves/);
    });

    it('validation parked at ln 2 for every evaluation while a Bayesian train loss (with its KL term) falls from 2.9 to ~0.75 is an error', () => {
      const steps = Array.from({ length: 30 }, (_, i) => 493 + 988 * i);
      const train = steps.map((_, i) => (i === 0 ? 2.94 : i === 1 ? 1.2 : 0.75 + 0.03 * Math.sin(i * 1.7)));
      const valid = steps.map((_, i) => 0.6932 + 0.0001 * Math.cos(i));
      const [f] = run(runWith({ train_loss_epoch: { steps, values: train }, val_loss: { steps, values: valid } }));
      expect(f?.severity).toBe('error');
      expect(f?.evidence).toMatchObject({ pattern: 'validation-at-chance', referenceName: 'ln(2)' });
      // a train loss that learned past chance (0.3) beside a validation loss at ln 2 is memorisation, not C1
      const memorised = steps.map((_, i) => (i < 3 ? 0.69 : 0.3));
      expect(run(runWith({ train_loss_epoch: { steps, values: memorised }, val_loss: { steps, values: valid } }))).toEqual([]);
    });

    it('train and validation losses identical to the 4th digit and flat (triplet embeddings collapsed onto the margin 1.0) is a warning', () => {
      const train = [1.794, 1.158, 1.042, 1.015, 1.011, 1.008, 1.006, 1.005, 1.005, 1.004, 1.003, 1.003, 1.003, 1.003, 1.003, 1.003, 1.003, 1.003, 1.003, 1.003, 1.003, 1.003, 1.002, 1.002, 1.002];
      const valid = [1.32, 1.076, 1.017, 1.014, 1.008, 1.006, 1.004, 1.004, 1.004, 1.003, 1.003, 1.003, 1.003, 1.003, 1.003, 1.003, 1.003, 1.003, 1.003, 1.003, 1.003, 1.002, 1.003, 1.002, 1.002];
      const [f] = run(runWith({ train_loss: train, valid_loss: valid }, {}, 'epoch'));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence).toMatchObject({ pattern: 'collapsed', gapThreshold: 0.001 });
      expect(f?.steps).toEqual([12, 24]);
      // a converged model whose validation sits 2% above its train loss is not collapsed
      expect(run(runWith({ train_loss: train, valid_loss: valid.map((v) => v * 1.02) }, {}, 'epoch'))).toEqual([]);
    });

    it('a loss that falls from a huge first value (2e11) to 0.03 and then wobbles learned: not flat from the start', () => {
      const values = [2.1e11, ...curve(200, (i) => 0.03 - 0.005 * (i / 200), 0.1, 73)];
      expect(run(runWith({ mean_loss: values }, {}, 'epoch'))).toEqual([]);
    });

    it('a loss that falls at its first point (4.2e24 -> 1.57e24) and then does not move at all is stuck', () => {
      const values = [4.2e24, 1.567e24, 1.567e24, ...Array.from({ length: 77 }, () => 1.571e24)];
      const [f] = run(runWith({ mean_loss: values }, {}, 'epoch'));
      expect(f?.severity).toBe('error');
      expect(f?.message).toMatch(/does not move at all/);
    });

    it('a loss that jumps up at its first point and then stays (a saturated clamped term) is a rise (C2), not C1', () => {
      const values = [0.609, ...curve(60, () => 16.0, 0.002, 74)];
      expect(run(runWith({ train_loss: values }, {}, 'epoch'))).toEqual([]);
    });

    it('a per-step language-model loss parked at 2.27, 1.6% below ln 10 with 6% noise, is not parked at chance (significantly below it)', () => {
      const values = curve(1000, (i) => 2.265 + 0.75 * Math.exp(-i / 60), 0.1, 75);
      expect(run(runWith({ loss: values }))).toEqual([]);
    });

    it('says too little data for a single point', () => {
      const [f] = run(runWith({ 'train/loss': [0.9] }));
      expect(f?.severity).toBe('info');
      expect(f?.evidence['insufficientData']).toBe(true);
    });
  });
});


describe('C1 on real runs', () => {
  const runs = new Map<string, Run>();
  const cases = {
    irisStuck: 'tensorboard/henry_tabular/lightning_logs/version_13',
    meanOnly: 'tensorboard/henry_tabular/lightning_logs/version_33',
    irisLearning: 'tensorboard/henry_tabular/lightning_logs/version_17',
    bayesianAtChance: 'lightning_csv/hmnn_binary/lightning_logs/version_8/metrics.csv',
    tripletCollapsed: 'lightning_csv/anime_triplet_6a0dc32/loss_history.csv',
    pinnSpikes: 'lightning_csv/oedometer_pinn/lightning_logs/version_21/metrics.csv',
    pinnStuck: 'lightning_csv/oedometer_pinn/lightning_logs/version_7/metrics.csv',
    llamaPlateau: 'hf_keras_mlflow/tinyllamaclin/outputs/checkpoint-1000/trainer_state.json',
    domainSaturated: 'lightning_csv/camels_ch_lstm/lightning_logs/version_300/metrics.csv',
    yoloContinuation: 'tensorboard/fsoco_yolov5/runs/train/exp10',
  } as const;
  beforeAll(async () => {
    for (const [k, rel] of Object.entries(cases)) runs.set(k, await loadRealRun(rel));
  });
  const check = (k: keyof typeof cases) => {
    const r = runs.get(k) as Run;
    return c1NotLearning.run({ run: r, curves: resolveCurves(r) });
  };

  it('fires on Iris stuck at 1.155 for 7 epochs of 4 steps (Lightning TensorBoard, epoch tag)', () => {
    const [f] = check('irisStuck');
    expect(f?.evidence['insufficientData']).toBeUndefined();
    expect(['warning', 'error']).toContain(f?.severity);
  });
  it('fires on a standardised regression whose validation stays at 1.02-1.08 while per-50-step train losses jump 0.24-2.17', () => {
    expect(check('meanOnly')[0]?.evidence['pattern']).toBe('flat-with-validation');
  });
  it('fires on validation at ln 2 for 50 epochs (Bayesian MLP), triplet embeddings collapsed on the margin, and a PINN stuck at 1.57e24', () => {
    expect(check('bayesianAtChance')[0]?.evidence['pattern']).toBe('validation-at-chance');
    expect(check('tripletCollapsed')[0]?.evidence['pattern']).toBe('collapsed');
    expect(check('pinnStuck')[0]?.severity).toBe('error');
  });
  it('stays quiet on a PINN that fell from 2e11 to 0.03 (blow-ups later), a TinyLlama plateau near ln 10, and a loss that jumped to a saturated 16', () => {
    expect(check('pinnSpikes')).toEqual([]);
    expect(check('llamaPlateau')).toEqual([]);
    expect(check('domainSaturated')).toEqual([]);
  });
  it('stays quiet on Iris that learns (valid accuracy 0.17 -> 0.93) and on a YOLO fine-tune continuation', () => {
    expect(check('irisLearning')).toEqual([]);
    expect(check('yoloContinuation')).toEqual([]);
  });
});
