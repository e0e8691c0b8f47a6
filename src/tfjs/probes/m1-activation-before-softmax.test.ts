import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { m1ActivationBeforeSoftmax } from './m1-activation-before-softmax.js';
import { context, mlp, runClean, spec } from './test-support/probe-fixtures.js';

const data = () => ({ x: tf.zeros([2, 4]), y: tf.zeros([2]) });
const s = spec('sparseCategoricalCrossentropy');

describe('M1 activation before softmax', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is silent on dense(softmax) after a ReLU hidden layer, and on linear -> softmax layer', async () => {
    const a = mlp(4, 3);
    const b = tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [4], activation: 'relu' }), tf.layers.dense({ units: 3 }), tf.layers.dropout({ rate: 0.1 }), tf.layers.softmax()] });
    const d = data();
    expect(await runClean(m1ActivationBeforeSoftmax, context(a, d, s))).toEqual([]);
    expect(await runClean(m1ActivationBeforeSoftmax, context(b, d, s))).toEqual([]);
    tf.dispose([d.x, d.y]);
    a.dispose();
    b.dispose();
  });

  it('errors on dense(relu) -> activation(softmax), naming the layer', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 8, inputShape: [4], activation: 'relu' }), tf.layers.dense({ units: 10, activation: 'relu', name: 'logits' }), tf.layers.activation({ activation: 'softmax' })],
    });
    const d = data();
    const findings = await runClean(m1ActivationBeforeSoftmax, context(model, d, s));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'error', layer: 'logits' });
    expect(findings[0]!.evidence).toMatchObject({ activation: 'relu', feedingLayer: 'logits', classes: 10 });
    tf.dispose([d.x, d.y]);
    model.dispose();
  });

  it('errors on sigmoid through dropout into a Softmax layer (functional), with the max probability', async () => {
    const input = tf.input({ shape: [4] });
    const h = tf.layers.dense({ units: 10, activation: 'sigmoid', name: 'scores' }).apply(input) as tf.SymbolicTensor;
    const dr = tf.layers.dropout({ rate: 0.2 }).apply(h) as tf.SymbolicTensor;
    const out = tf.layers.softmax().apply(dr) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const d = data();
    const findings = await runClean(m1ActivationBeforeSoftmax, context(model, d, s));
    expect(findings.map((f) => [f.severity, f.layer, f.evidence.activation])).toEqual([['error', 'scores', 'sigmoid']]);
    // e / (e + 9) = 0.232
    expect(findings[0]!.evidence.maxSoftmaxProbability).toBeCloseTo(0.232, 3);
    tf.dispose([d.x, d.y]);
    model.dispose();
  });

  it('warns on tanh feeding the softmax; errors on a separate ReLU layer', async () => {
    const tanh = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], activation: 'tanh' }), tf.layers.activation({ activation: 'softmax' })] });
    const relu = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] }), tf.layers.reLU(), tf.layers.activation({ activation: 'softmax' })] });
    const d = data();
    expect((await runClean(m1ActivationBeforeSoftmax, context(tanh, d, s))).map((f) => f.severity)).toEqual(['warning']);
    expect((await runClean(m1ActivationBeforeSoftmax, context(relu, d, s))).map((f) => [f.severity, f.evidence.feedingClass])).toEqual([['error', 'ReLU']]);
    tf.dispose([d.x, d.y]);
    tanh.dispose();
    relu.dispose();
  });
});
