import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { d1NonFiniteData } from './d1-non-finite-data.js';
import { context, loud, mlp, runClean, spec } from './test-support/probe-fixtures.js';

describe('D1 non-finite data', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is silent on finite data', async () => {
    const model = mlp(4, 3);
    const x = tf.randomNormal([64, 4], 0, 1, 'float32', 1);
    const y = tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % 3));
    const findings = await runClean(d1NonFiniteData, context(model, { x, y, xVal: x, yVal: y }, spec('sparseCategoricalCrossentropy')));
    expect(findings).toEqual([]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('reports NaN in training inputs as an error with the first index', async () => {
    const model = mlp(4, 3);
    const values = Array.from({ length: 64 * 4 }, (_, i) => (i % 5) / 5);
    values[17 * 4 + 2] = Number.NaN;
    values[30 * 4 + 0] = Number.NaN;
    values[30 * 4 + 1] = Number.POSITIVE_INFINITY;
    const x = tf.tensor2d(values, [64, 4]);
    const y = tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % 3));
    const findings = await runClean(d1NonFiniteData, context(model, { x, y }, spec('sparseCategoricalCrossentropy')));
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.severity).toBe('error');
    expect(f.evidence).toMatchObject({ tensor: 'x', nan: 2, inf: 1, rowsWithNonFinite: 2, firstRow: 17, firstIndex: 'x[17][2]' });
    tf.dispose([x, y]);
    model.dispose();
  });

  it('reports Inf in validation targets as a warning', async () => {
    const model = mlp(4, 1);
    const x = tf.randomNormal([16, 4], 0, 1, 'float32', 1);
    const y = tf.zeros([16, 1]);
    const yVal = tf.tensor2d([0, 1, Number.NEGATIVE_INFINITY, 1], [4, 1]);
    const xVal = tf.randomNormal([4, 4], 0, 1, 'float32', 2);
    const findings = loud(await runClean(d1NonFiniteData, context(model, { x, y, xVal, yVal }, spec('binaryCrossentropy'))));
    expect(findings.map((f) => [f.severity, f.evidence.tensor, f.evidence.firstRow])).toEqual([['warning', 'yVal', 2]]);
    tf.dispose([x, y, xVal, yVal]);
    model.dispose();
  });

  it('says when the budget cut the scan short', async () => {
    const model = mlp(4, 3);
    const x = tf.randomNormal([64, 4], 0, 1, 'float32', 1);
    const y = tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % 3));
    const findings = await runClean(d1NonFiniteData, context(model, { x, y }, spec('sparseCategoricalCrossentropy'), { budgetMs: 0 }));
    expect(findings.map((f) => [f.severity, f.evidence.cutShort])).toEqual([['info', true]]);
    tf.dispose([x, y]);
    model.dispose();
  });
});
