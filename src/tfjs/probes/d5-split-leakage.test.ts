import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { d5SplitLeakage, hashRows } from './d5-split-leakage.js';
import { context, mlp, runClean, spec } from './test-support/probe-fixtures.js';

describe('D5 split leakage', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('hashes equal rows equally and different rows differently', () => {
    const x = tf.tensor2d([1, 2, 3, 1, 2, 3, 1, 2, 4, 0, -0, 0], [4, 3]);
    const { keys } = hashRows([x]);
    expect(keys[0]).toBe(keys[1]);
    expect(new Set(keys).size).toBe(3);
    x.dispose();
  });

  it('is silent on disjoint splits', async () => {
    const model = mlp(4, 2);
    const x = tf.randomNormal([64, 4], 0, 1, 'float32', 1);
    const xVal = tf.randomNormal([16, 4], 0, 1, 'float32', 2);
    const xTest = tf.randomNormal([16, 4], 0, 1, 'float32', 3);
    const y = tf.zeros([64]);
    expect(await runClean(d5SplitLeakage, context(model, { x, y, xVal, xTest }, spec('sparseCategoricalCrossentropy')))).toEqual([]);
    tf.dispose([x, xVal, xTest, y]);
    model.dispose();
  });

  it('errors when a quarter of val is copied from train, with exact indices', async () => {
    const model = mlp(4, 2);
    const x = tf.randomNormal([64, 4], 0, 1, 'float32', 1);
    const fresh = tf.randomNormal([12, 4], 0, 1, 'float32', 2);
    const copied = tf.gather(x, tf.tensor1d([5, 9, 40, 63], 'int32'));
    const xVal = tf.concat([fresh, copied]);
    const y = tf.zeros([64]);
    const findings = await runClean(d5SplitLeakage, context(model, { x, y, xVal }, spec('sparseCategoricalCrossentropy')));
    expect(findings).toHaveLength(1);
    expect(findings[0]!.severity).toBe('error');
    expect(findings[0]!.evidence).toMatchObject({ split: 'val', sharedExamples: 4, rows: 16, share: 0.25, valIndices: [12, 13, 14, 15], trainIndices: [5, 9, 40, 63] });
    tf.dispose([x, fresh, copied, xVal, y]);
    model.dispose();
  });

  it('warns on a few shared test images (multi-dimensional inputs)', async () => {
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [3, 3, 1] }), tf.layers.dense({ units: 2 })] });
    const x = tf.randomUniform([100, 3, 3, 1], 0, 1, 'float32', 4);
    const xTest = tf.tidy(() => tf.concat([tf.randomUniform([99, 3, 3, 1], 0, 1, 'float32', 5), tf.slice(x, 7, 1)]));
    const y = tf.zeros([100]);
    const findings = await runClean(d5SplitLeakage, context(model, { x, y, xTest }, spec('sparseCategoricalCrossentropy')));
    expect(findings.map((f) => [f.severity, f.evidence.split, f.evidence.sharedExamples, f.evidence.testIndices])).toEqual([['warning', 'test', 1, [99]]]);
    tf.dispose([x, xTest, y]);
    model.dispose();
  });
});
