import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { m6GradientCheck } from './m6-gradient-check.js';
import { WrongSignScale, WrongSquare, WrongTanh } from './test-support/gradient-layers.js';
import { context, runClean, spec } from './test-support/probe-fixtures.js';

let seed = 100;
const init = () => tf.initializers.glorotUniform({ seed: ++seed });
const dense = (units: number, activation: string, extra: object = {}) => tf.layers.dense({ units, activation: activation as 'relu', kernelInitializer: init(), ...extra });
const labels = (n: number, classes: number) => tf.tensor1d(Array.from({ length: n }, (_, i) => (i * 3 + 1) % classes));

describe('M6 gradient check', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const builtIns: Array<[string, () => tf.LayersModel, number[]]> = [
    ['dense relu/tanh/sigmoid', () => tf.sequential({ layers: [dense(12, 'relu', { inputShape: [6] }), dense(12, 'tanh'), dense(8, 'sigmoid'), dense(4, 'softmax')] }), [6]],
    [
      'conv2d + max-pool',
      () => tf.sequential({ layers: [tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 2], kernelInitializer: init() }), tf.layers.maxPooling2d({ poolSize: 2 }), tf.layers.flatten(), dense(4, 'softmax')] }),
      [6, 6, 2],
    ],
    ['batch-norm (inference) + dropout', () => tf.sequential({ layers: [dense(12, 'linear', { inputShape: [6] }), tf.layers.batchNormalization(), tf.layers.activation({ activation: 'relu' }), tf.layers.dropout({ rate: 0.5 }), dense(4, 'softmax')] }), [6]],
    ['simpleRNN', () => tf.sequential({ layers: [tf.layers.simpleRNN({ units: 6, inputShape: [5, 3], kernelInitializer: init(), recurrentInitializer: tf.initializers.orthogonal({ seed: ++seed }) }), dense(4, 'softmax')] }), [5, 3]],
    ['lstm', () => tf.sequential({ layers: [tf.layers.lstm({ units: 4, inputShape: [4, 3], kernelInitializer: init(), recurrentInitializer: tf.initializers.orthogonal({ seed: ++seed }) }), dense(4, 'softmax')] }), [4, 3]],
  ];
  for (const [name, build, shape] of builtIns) {
    it(`passes built-in layers: ${name}`, async () => {
      const model = build();
      const x = tf.randomNormal([16, ...shape], 0, 1, 'float32', 3);
      const y = labels(16, 4);
      const findings = await runClean(m6GradientCheck, context(model, { x, y }, spec('sparseCategoricalCrossentropy'), { seed: 7 }));
      expect(findings.map((f) => [f.severity, f.title])).toEqual([['info', 'Gradient check: passed']]);
      const errors = findings[0]!.evidence.relativeErrors as number[];
      expect(errors.length).toBe(model.layers.filter((l) => l.trainableWeights.length > 0).length);
      for (const e of errors) expect(e).toBeLessThanOrEqual(1e-2);
      tf.dispose([x, y]);
      model.dispose();
    });
  }

  it('passes a regression model with logits-free MSE and a binary model with fromLogits', async () => {
    const reg = tf.sequential({ layers: [dense(8, 'elu', { inputShape: [5] }), dense(2, 'linear')] });
    const bin = tf.sequential({ layers: [dense(8, 'relu', { inputShape: [5] }), dense(1, 'linear')] });
    const x = tf.randomNormal([16, 5], 0, 1, 'float32', 4);
    const yr = tf.randomNormal([16, 2], 0, 1, 'float32', 5);
    const yb = tf.tensor2d(Array.from({ length: 16 }, (_, i) => i % 2), [16, 1]);
    const fr = await runClean(m6GradientCheck, context(reg, { x, y: yr }, spec('meanSquaredError')));
    const fb = await runClean(m6GradientCheck, context(bin, { x, y: yb }, spec('binaryCrossentropy', { fromLogits: true })));
    expect([fr[0]!.severity, fb[0]!.severity]).toEqual(['info', 'info']);
    tf.dispose([x, yr, yb]);
    reg.dispose();
    bin.dispose();
  });

  it('catches a custom layer whose gradient is 3x instead of 2x, and localises it', async () => {
    const model = tf.sequential({ layers: [dense(8, 'tanh', { inputShape: [6], name: 'before' }), new WrongSquare({ name: 'square' }), dense(4, 'softmax', { name: 'after' })] });
    const x = tf.randomNormal([16, 6], 0, 1, 'float32', 3);
    const y = labels(16, 4);
    const findings = await runClean(m6GradientCheck, context(model, { x, y }, spec('sparseCategoricalCrossentropy')));
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.severity).toBe('error');
    expect(f.layer).toBe('before');
    expect(f.evidence.failingLayers).toBe('before');
    expect(f.evidence.suspects).toBe('before (Dense), square (NndWrongSquare)');
    const [before, after] = f.evidence.relativeErrors as number[];
    expect(before).toBeGreaterThan(0.25); // 1.5x the true gradient: error 1/3
    expect(after).toBeLessThan(1e-2);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('catches a subtly wrong tanh gradient (1 - y instead of 1 - y^2)', async () => {
    const model = tf.sequential({ layers: [dense(8, 'linear', { inputShape: [6] }), new WrongTanh({}), dense(4, 'softmax')] });
    const x = tf.randomNormal([16, 6], 0, 1, 'float32', 3);
    const y = labels(16, 4);
    const findings = await runClean(m6GradientCheck, context(model, { x, y }, spec('sparseCategoricalCrossentropy')));
    expect(findings.map((f) => f.severity)).toEqual(['error']);
    expect((findings[0]!.evidence.relativeErrors as number[])[0]).toBeGreaterThan(0.1);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('catches a wrong-sign weight gradient in the layer itself', async () => {
    const model = tf.sequential({ layers: [dense(8, 'relu', { inputShape: [6] }), new WrongSignScale({ name: 'scale' }), dense(4, 'softmax')] });
    const x = tf.randomNormal([16, 6], 0, 1, 'float32', 3);
    const y = labels(16, 4);
    const findings = await runClean(m6GradientCheck, context(model, { x, y }, spec('sparseCategoricalCrossentropy')));
    expect(findings.map((f) => [f.severity, f.layer, f.evidence.failingLayers])).toEqual([['error', 'scale', 'scale']]);
    expect((findings[0]!.evidence.relativeErrors as number[])[1]).toBeCloseTo(2, 1);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('says when the budget cut the check short', async () => {
    const model = tf.sequential({ layers: [dense(8, 'relu', { inputShape: [6] }), dense(4, 'softmax')] });
    const x = tf.randomNormal([16, 6], 0, 1, 'float32', 3);
    const y = labels(16, 4);
    const findings = await runClean(m6GradientCheck, context(model, { x, y }, spec('sparseCategoricalCrossentropy'), { budgetMs: 0 }));
    expect(findings.map((f) => [f.severity, f.evidence.cutShort, f.evidence.layersChecked])).toEqual([['info', true, 0]]);
    tf.dispose([x, y]);
    model.dispose();
  });
});
