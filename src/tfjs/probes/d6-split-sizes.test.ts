import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { d6SplitSizes } from './d6-split-sizes.js';
import { context, loud, mlp, runClean, spec } from './test-support/probe-fixtures.js';

const rows = (n: number) => tf.zeros([n, 2]);

describe('D6 split sizes', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is silent on 70/20/10 with a large enough validation set', async () => {
    const model = mlp(2, 3);
    const [x, xVal, xTest, y] = [rows(3500), rows(1000), rows(500), tf.zeros([3500])];
    expect(await runClean(d6SplitSizes, context(model, { x, y, xVal, xTest }, spec('sparseCategoricalCrossentropy')))).toEqual([]);
    tf.dispose([x, xVal, xTest, y]);
    model.dispose();
  });

  it('warns on a validation set with a large accuracy standard error and says how big it should be', async () => {
    const model = mlp(2, 3);
    const [x, xVal, xTest, y] = [rows(900), rows(100), rows(100), tf.zeros([900])];
    const findings = loud(await runClean(d6SplitSizes, context(model, { x, y, xVal, xTest }, spec('sparseCategoricalCrossentropy'))));
    expect(findings).toHaveLength(1);
    expect(findings[0]!.severity).toBe('warning');
    expect(findings[0]!.evidence).toMatchObject({ valExamples: 100, accuracySePoints: 5, valNeeded: 625, suggestedVal: 220 });
    expect(findings[0]!.actions.join(' ')).toMatch(/k-fold/);
    tf.dispose([x, xVal, xTest, y]);
    model.dispose();
  });

  it('warns on a validation set under 10% of train (regression) and on a missing one', async () => {
    const model = mlp(2, 1);
    const [x, xVal, y] = [rows(5000), rows(200), tf.zeros([5000, 1])];
    const small = await runClean(d6SplitSizes, context(model, { x, y, xVal }, spec('meanSquaredError')));
    expect(small.map((f) => [f.severity, f.title])).toEqual([
      ['warning', 'Split sizes: validation set too small'],
      ['info', 'Split sizes: no test split'],
    ]);
    expect(small[0]!.evidence.valNeeded).toBe(500);
    const none = loud(await runClean(d6SplitSizes, context(model, { x, y }, spec('meanSquaredError'))));
    expect(none.map((f) => [f.severity, f.title, f.evidence.suggestedVal])).toEqual([['warning', 'Split sizes: no validation split', 1000]]);
    tf.dispose([x, xVal, y]);
    model.dispose();
  });
});
