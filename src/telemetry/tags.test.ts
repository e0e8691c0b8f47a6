import { describe, expect, it } from 'vitest';
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
