import { describe, expect, it } from 'vitest';
import { resolveCurves } from './curves.js';
import { createRun, runSink, type Run } from './run.js';
import { classifyTag, isLayerTag } from './tags.js';

describe('classifyTag', () => {
  const table: Array<[string, string, string | null]> = [
    // tag, kind, split — names real frameworks write
    ['train/epoch_loss', 'loss', 'train'], // Keras TensorBoard, train/ split
    ['validation/epoch_loss', 'loss', 'val'],
    ['train_loss', 'loss', 'train'], // Lightning
    ['valid_loss', 'loss', 'val'],
    ['val_loss', 'loss', 'val'], // Keras CSV
    ['loss', 'loss', null], // Keras CSV, Hugging Face
    ['eval_loss', 'loss', 'val'], // Hugging Face
    ['Loss/train', 'loss', 'train'], // PyTorch tutorials
    ['Loss/test', 'loss', 'test'],
    ['train_loss_step', 'loss', 'train'],
    ['learning_rate', 'lr', null],
    ['lr', 'lr', null],
    ['lr-Adam', 'lr', null],
    ['train/epoch_learning_rate', 'lr', 'train'],
    ['grad_norm', 'grad_norm', null],
    ['epoch', 'epoch', null],
    ['accuracy', 'metric', null],
    ['val_accuracy', 'metric', 'val'],
    ['valid_accuracy', 'metric', 'val'],
    ['eval_f1', 'metric', 'val'],
    ['IoU/Test', 'metric', 'test'],
    ['val_mae', 'metric', 'val'],
    ['gradients/fc1.weight', 'other', null],
    ['train_runtime', 'other', 'train'],
    // W&B history keys (wandb.log)
    ['train/loss', 'loss', 'train'],
    ['eval/loss', 'loss', 'val'], // Hugging Face WandbCallback
    ['val/loss', 'loss', 'val'],
    ['Train Loss', 'loss', 'train'],
    ['Validation Loss', 'loss', 'val'],
    ['average_loss', 'loss', null],
    ['average_val_loss', 'loss', 'val'],
    ['train/total_loss', 'loss', 'train'],
    ['train/train_loss', 'loss', 'train'],
    ['train/global_step', 'other', 'train'],
    ['train/epoch', 'epoch', 'train'],
    ['Epoch', 'epoch', null],
    ['train/learning_rate', 'lr', 'train'],
    ['train/lr', 'lr', 'train'],
    ['trn_accuracy', 'metric', 'train'],
    ['val/ppl', 'metric', 'val'],
    ['val/ngram_63', 'other', 'val'],
    ['train/update_step', 'other', 'train'],
    ['eval/samples_per_second', 'other', 'val'],
    ['grad_norm_square', 'other', null],
  ];
  it.each(table)('%s is %s (split %s)', (tag, kind, split) => {
    const info = classifyTag(tag);
    expect(info.kind).toBe(kind);
    expect(info.split).toBe(split);
  });

  it('knows which metrics improve downward', () => {
    expect(classifyTag('val_accuracy').higherIsBetter).toBe(true);
    expect(classifyTag('val_mae').higherIsBetter).toBe(false);
    expect(classifyTag('eval_perplexity').higherIsBetter).toBe(false);
  });

  it('reads the level of a loss', () => {
    expect(classifyTag('train_loss_step').level).toBe('step');
    expect(classifyTag('train/epoch_loss').level).toBe('epoch');
    expect(classifyTag('loss').level).toBe(null);
  });
});

describe('isLayerTag', () => {
  it.each(['gradients/fc1.weight', 'parameters/conv.bias', 'grad_norm/dense_1', 'train/grad_2.0_norm/l1.weight'])('%s is per-layer', (t) =>
    expect(isLayerTag(t)).toBe(true),
  );
  it.each(['grad_norm', 'train_loss', 'Loss/train'])('%s is not per-layer', (t) => expect(isLayerTag(t)).toBe(false));
});

describe('W&B key conventions resolve to curves', () => {
  const run = (series: Record<string, number[]>): Run => {
    const r = createRun('wandb/run-1', 'wandb');
    const sink = runSink(r);
    for (const [tag, values] of Object.entries(series)) values.forEach((v, i) => sink.scalar(tag, i, v, NaN));
    return r;
  };
  const roles = (r: Run) => Object.fromEntries(Object.entries(resolveCurves(r)).map(([k, c]) => [k, c?.tag ?? null]));

  it('Hugging Face rows: train/loss over the end-of-run train/train_loss, eval/loss, train/epoch; train/global_step is nothing', () => {
    const r = run({
      'train/loss': [1.1, 0.9, 0.8], 'train/train_loss': [0.84], 'train/learning_rate': [2e-5, 1e-5, 0], 'train/epoch': [0.5, 1, 1.5],
      'train/global_step': [50, 100, 150], 'eval/loss': [1.0, 0.95, 0.97], 'eval/runtime': [3, 3, 3],
    });
    expect(roles(r)).toMatchObject({ trainLoss: 'train/loss', valLoss: 'eval/loss', lr: 'train/learning_rate', epoch: 'train/epoch', trainMetric: null });
  });

  it('a total loss over its components; spaced and averaged names', () => {
    expect(roles(run({ 'train/loss_rec': [2, 1], 'train/kl': [0.5, 0.4], 'train/total_loss': [2.5, 1.4], 'val/total_loss': [2.6, 1.5] }))).toMatchObject({ trainLoss: 'train/total_loss', valLoss: 'val/total_loss' });
    expect(roles(run({ 'Train Loss': [3, 2], 'Validation Loss': [3, 2.5], 'Train accuracy': [5, 9], 'Validation accuracy': [5, 8], Epoch: [0, 1] }))).toMatchObject({
      trainLoss: 'Train Loss', valLoss: 'Validation Loss', trainMetric: 'Train accuracy', valMetric: 'Validation accuracy', epoch: 'Epoch',
    });
    expect(roles(run({ average_loss: [4, 3], average_val_loss: [4, 3.2], trn_accuracy: [1, 5], val_accuracy: [1, 4] }))).toMatchObject({
      trainLoss: 'average_loss', valLoss: 'average_val_loss', trainMetric: 'trn_accuracy', valMetric: 'val_accuracy',
    });
  });
});
