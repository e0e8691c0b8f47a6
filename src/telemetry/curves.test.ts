import { describe, expect, it } from 'vitest';
import { runFrom } from '../test-support/runs.js';
import { resolveCurves, toCurve } from './curves.js';
import { scalarSeries } from './series.js';

describe('resolveCurves', () => {
  it('prefers the whole objective over its components (hmnn: train_loss_epoch, not train_nll_epoch; PINN: mean_loss, not data_loss)', () => {
    const elbo = resolveCurves(runFrom({ train_nll_epoch: [0.7, 0.69], train_kl_epoch: [3e5, 3e5], train_loss_epoch: [2.9, 0.7], train_loss_step: [3, 0.7], val_loss: [0.69, 0.69] }));
    expect(elbo.trainLoss?.tag).toBe('train_loss_epoch');
    expect(resolveCurves(runFrom({ data_loss: [5, 4], mean_loss: [5, 4] })).trainLoss?.tag).toBe('mean_loss');
    expect(resolveCurves(runFrom({ 'train/box_loss': [1, 0.5], 'train/obj_loss': [2, 1] })).trainLoss?.tag).toBe('train/box_loss');
  });

  it('resolves a restarted series of 300k points without spreading it into arguments (no stack overflow)', () => {
    const s = scalarSeries('loss');
    for (let i = 0; i < 150_000; i++) { s.steps.push(i); s.values.push(1); s.wallTimes.push(NaN); }
    for (let i = 100_000; i < 250_000; i++) { s.steps.push(i); s.values.push(2); s.wallTimes.push(NaN); }
    const c = toCurve(s);
    expect(c.steps.length).toBe(250_000);
    expect(c.restarts).toEqual([100_000]);
    expect(c.values[99_999]).toBe(1);
    expect(c.values[100_000]).toBe(2);
  });

  it('picks Lightning columns, preferring the epoch aggregate over numbered components', () => {
    const run = runFrom({ train_loss: [1, 0.9, 0.8], train_loss_0: [1, 0.9, 0.8], valid_loss: [1.1, 1], valid_accuracy: [0.5, 0.6], train_accuracy: [0.5, 0.7], epoch: [0, 0, 1] });
    const c = resolveCurves(run);
    expect(c.trainLoss?.tag).toBe('train_loss');
    expect(c.valLoss?.tag).toBe('valid_loss');
    expect(c.trainMetric?.tag).toBe('train_accuracy');
    expect(c.valMetric?.tag).toBe('valid_accuracy');
    expect(c.epoch?.tag).toBe('epoch');
  });

  it('picks Keras TensorBoard splits and Hugging Face names', () => {
    const keras = resolveCurves(runFrom({ 'train/epoch_loss': [1, 0.5], 'validation/epoch_loss': [1, 0.7], 'train/epoch_learning_rate': [0.1, 0.1] }));
    expect([keras.trainLoss?.tag, keras.valLoss?.tag, keras.lr?.tag]).toEqual(['train/epoch_loss', 'validation/epoch_loss', 'train/epoch_learning_rate']);
    const hf = resolveCurves(runFrom({ loss: [0.7, 0.6], eval_loss: [0.65], learning_rate: [1e-4, 9e-5], grad_norm: [1, 2], train_loss: [0.6] }));
    expect([hf.trainLoss?.tag, hf.valLoss?.tag, hf.lr?.tag, hf.gradNorm?.tag]).toEqual(['loss', 'eval_loss', 'learning_rate', 'grad_norm']);
  });

  it('pairs the validation metric with the training metric of the same name', () => {
    const c = resolveCurves(runFrom({ accuracy: [0.1, 0.2], val_accuracy: [0.1, 0.2], val_auc: [0.5, 0.6], auc: [0.5, 0.5] }));
    expect(c.trainMetric?.tag).toBe('accuracy');
    expect(c.valMetric?.tag).toBe('val_accuracy');
  });

  it('lets the user name tags, and returns null for a named tag that is absent', () => {
    const run = runFrom({ 'my/objective': [3, 2, 1], 'holdout/objective': [3, 2, 2] });
    const c = resolveCurves(run, { trainLoss: 'my/objective', valLoss: 'nope' });
    expect(c.trainLoss?.tag).toBe('my/objective');
    expect(c.valLoss).toBeNull();
  });

  it('returns null roles for a run without curves', () => {
    const c = resolveCurves(runFrom({ something: [1, 2] }));
    expect(c.trainLoss).toBeNull();
    expect(c.lr).toBeNull();
  });
});

describe('toCurve', () => {
  it('resolves a restart like TensorBoard: newer points replace older ones from the restart step', () => {
    const s = scalarSeries('loss');
    for (const [step, v] of [[0, 5], [1, 4], [2, 3], [3, 2], [2, 30], [3, 20], [4, 10]] as const) {
      s.steps.push(step);
      s.values.push(v);
      s.wallTimes.push(NaN);
    }
    const c = toCurve(s);
    expect(c.steps).toEqual([0, 1, 2, 3, 4]);
    expect(c.values).toEqual([5, 4, 30, 20, 10]);
    expect(c.restarts).toEqual([2]);
  });

  it('keeps the latest value for a repeated step', () => {
    const s = scalarSeries('loss');
    s.steps.push(0, 1, 1);
    s.values.push(3, 2, 1);
    s.wallTimes.push(NaN, NaN, NaN);
    expect(toCurve(s).values).toEqual([3, 1]);
    expect(toCurve(s).restarts).toEqual([]);
  });
});
