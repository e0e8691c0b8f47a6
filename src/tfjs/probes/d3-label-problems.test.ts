import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { d3LabelProblems } from './d3-label-problems.js';
import { context, loud, mlp, runClean, spec } from './test-support/probe-fixtures.js';

const labels = (n: number, classes: number) => Array.from({ length: n }, (_, i) => (i * 7) % classes);

describe('D3 label problems', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is silent on balanced sparse labels and on balanced one-hot labels', async () => {
    const model = mlp(4, 3);
    const x = tf.randomNormal([60, 4], 0, 1, 'float32', 1);
    const y = tf.tensor1d(labels(60, 3), 'int32');
    const yOneHot = tf.oneHot(y, 3);
    expect(await runClean(d3LabelProblems, context(model, { x, y }, spec('sparseCategoricalCrossentropy')))).toEqual([]);
    expect(await runClean(d3LabelProblems, context(model, { x, y: yOneHot }, spec('categoricalCrossentropy')))).toEqual([]);
    tf.dispose([x, y, yOneHot]);
    model.dispose();
  });

  it('errors on one-hot targets given to sparse cross-entropy', async () => {
    const model = mlp(4, 3);
    const x = tf.randomNormal([60, 4], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d(labels(60, 3), 'int32'), 3);
    const findings = await runClean(d3LabelProblems, context(model, { x, y }, spec('sparse_categorical_crossentropy')));
    expect(findings.map((f) => f.severity)).toEqual(['error']);
    expect(findings[0]!.evidence).toMatchObject({ targetColumns: 3, outputUnits: 3 });
    expect(findings[0]!.message).toMatch(/one-hot/);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('errors on integer labels given to categorical cross-entropy', async () => {
    const model = mlp(4, 3);
    const x = tf.randomNormal([60, 4], 0, 1, 'float32', 1);
    const y = tf.tensor2d(labels(60, 3), [60, 1]);
    const findings = await runClean(d3LabelProblems, context(model, { x, y }, spec('categoricalCrossentropy')));
    expect(findings.map((f) => [f.severity, f.evidence.targetColumns])).toEqual([['error', 1]]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('errors on 1-based labels (label 3 with 3 output units) with the first bad row', async () => {
    const model = mlp(4, 3);
    const x = tf.randomNormal([60, 4], 0, 1, 'float32', 1);
    const y = tf.tensor1d(labels(60, 3).map((l) => l + 1));
    const findings = await runClean(d3LabelProblems, context(model, { x, y }, spec('sparseCategoricalCrossentropy')));
    const range = findings.find((f) => f.evidence.rowsOutOfRange !== undefined)!;
    expect(range.severity).toBe('error');
    expect(range.evidence).toMatchObject({ tensor: 'y', rowsOutOfRange: 20, max: 3, firstRow: 2, firstValue: 3 });
    expect(range.actions[0]).toMatch(/subtract 1/);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('errors on one-hot rows that do not sum to 1 and on binary targets outside [0, 1]', async () => {
    const model = mlp(4, 3);
    const x = tf.randomNormal([4, 4], 0, 1, 'float32', 1);
    const y = tf.tensor2d([1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0], [4, 3]);
    const f1 = await runClean(d3LabelProblems, context(model, { x, y }, spec('categoricalCrossentropy')));
    expect(f1.map((f) => [f.severity, f.evidence.rowsNotSummingTo1, f.evidence.firstRow])).toContainEqual(['error', 1, 1]);
    const binary = mlp(4, 1);
    const yb = tf.tensor2d([-1, 1, -1, 1], [4, 1]);
    const f2 = await runClean(d3LabelProblems, context(binary, { x, y: yb }, spec('binaryCrossentropy')));
    expect(f2.map((f) => [f.severity, f.evidence.rowsOutOfRange, f.evidence.min])).toContainEqual(['error', 2, -1]);
    tf.dispose([x, y, yb]);
    model.dispose();
    binary.dispose();
  });

  it('warns on heavy imbalance and on a class that never occurs, with the histogram', async () => {
    const model = mlp(4, 4);
    const x = tf.randomNormal([100, 4], 0, 1, 'float32', 1);
    const y = tf.tensor1d(Array.from({ length: 100 }, (_, i) => (i < 90 ? 0 : i < 98 ? 1 : 2)));
    const findings = loud(await runClean(d3LabelProblems, context(model, { x, y }, spec('sparseCategoricalCrossentropy'))));
    expect(findings.map((f) => f.title)).toEqual(['Label problems: classes never seen', 'Label problems: class imbalance']);
    expect(findings[1]!.evidence).toMatchObject({ histogram: [90, 8, 2, 0], imbalanceRatio: 45, rarestClass: 2, missingClasses: '3' });
    tf.dispose([x, y]);
    model.dispose();
  });

  it('ignores regression losses', async () => {
    const model = mlp(4, 1);
    const x = tf.randomNormal([8, 4], 0, 1, 'float32', 1);
    const y = tf.randomNormal([8, 1], 100, 5, 'float32', 2);
    expect(await runClean(d3LabelProblems, context(model, { x, y }, spec('meanSquaredError')))).toEqual([]);
    tf.dispose([x, y]);
    model.dispose();
  });
});
