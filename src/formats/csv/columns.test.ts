import { describe, expect, it } from 'vitest';
import { csvDelimiter, isHistoryLike, isLossLike, isPhaseColumn, isTextAllowed, xColumnKind, xColumns } from './columns.js';

describe('xColumnKind', () => {
  it.each([
    ['epoch', 'epoch'], [' Epoch ', 'epoch'], ['epochs', 'epoch'], ['epoch_num', 'epoch'],
    ['step', 'step'], ['global_step', 'step'], ['Iteration', 'step'], ['iter', 'step'],
    ['', 'index'], ['Unnamed: 0', 'index'],
    ['loss', null], ['epoch_loss', null], ['steps_per_sec', null], ['batch', null],
  ] as const)('%j -> %s', (name, kind) => {
    expect(xColumnKind(name)).toBe(kind);
  });

  it('takes an empty header cell as a pandas index only in the first column', () => {
    expect(xColumns(['', 'loss'])).toEqual({ epoch: -1, step: -1, index: 0 });
    expect(xColumns(['loss', 'val_loss', ''])).toEqual({ epoch: -1, step: -1, index: -1 });
    expect(xColumns(['epoch', 'step', 'loss'])).toEqual({ epoch: 0, step: 1, index: -1 });
  });
});

describe('column names', () => {
  it.each(['loss', 'val_loss', 'valid_loss', 'trainLoss', 'trainloss', 'val_acc', 'accuracy', 'lr', 'lr-Adam',
    'learning_rate', 'error_rate', 'test_err', 'perplexity', 'mae', 'val_f1', 'x/lr0'])('%s is loss-like', (name) => {
    expect(isLossLike(name)).toBe(true);
  });
  it.each(['value', 'interval', 'name', 'price', 'sepal_length', 'epoch', 'time', 'claim'])('%s is not loss-like', (name) => {
    expect(isLossLike(name)).toBe(false);
  });
  it('tells history columns from data set columns', () => {
    expect(['duration_min', 'time', 'epoch', 'val_per', 'train_kl_weight', 'mean_io_u_5'].every(isHistoryLike)).toBe(true);
    expect(['age', 'bmi', 'children', 'region_code'].some(isHistoryLike)).toBe(false);
  });
  it('knows text columns of a history', () => {
    expect([isTextAllowed('timestamp'), isTextAllowed('Date'), isTextAllowed('title')]).toEqual([true, true, false]);
    expect([isPhaseColumn('Phase'), isPhaseColumn('split'), isPhaseColumn('phase_loss')]).toEqual([true, true, false]);
  });
  it.each([['epoch,loss', ','], ['epoch\tloss', '\t'], ['epoch;loss', ';'], ['loss', ','], ['a;b,c', ',']])('delimiter of %j is %j', (line, d) => {
    expect(csvDelimiter(line)).toBe(d);
  });
});
