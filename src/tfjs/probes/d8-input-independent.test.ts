import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { d8InputIndependent } from './d8-input-independent.js';
import { blobs, context, mlp, runClean, spec } from './test-support/probe-fixtures.js';

describe('D8 input-independent baseline', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('passes a model that learns from its inputs', async () => {
    const model = mlp(4, 3, 8);
    const { x, labels } = blobs(96, 4, 3, 1);
    const y = tf.tensor1d(labels);
    const findings = await runClean(d8InputIndependent, context(model, { x, y }, spec('sparseCategoricalCrossentropy', { batchSize: 32 }), { budgetMs: 8_000 }));
    expect(findings).toEqual([]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('errors when a frozen all-zero first layer blocks the input', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 8, inputShape: [4], activation: 'relu', kernelInitializer: 'zeros', biasInitializer: 'ones', trainable: false }),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    const { x, labels } = blobs(96, 4, 3, 1);
    const y = tf.tensor1d(labels.map((l, i) => (i % 4 === 0 ? 0 : l)));
    const findings = await runClean(d8InputIndependent, context(model, { x, y }, spec('sparseCategoricalCrossentropy', { batchSize: 32 }), { budgetMs: 8_000 }));
    expect(findings).toHaveLength(1);
    expect(findings[0]!.severity).toBe('error');
    expect(findings[0]!.evidence.relativeGap as number).toBeLessThan(0.02);
    expect(findings[0]!.evidence.finalLossRealInputs as number).toBeLessThan(findings[0]!.evidence.initialLoss as number);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('regression: passes y = f(x), reports inconclusive when nothing can be learned in zero time', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 8, inputShape: [3], activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
        tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
      ],
    });
    const x = tf.randomNormal([64, 3], 0, 1, 'float32', 5);
    const y = tf.tidy(() => tf.sum(tf.mul(x, tf.tensor1d([1, -2, 0.5])), 1, true));
    expect(await runClean(d8InputIndependent, context(model, { x, y }, spec('meanSquaredError', { batchSize: 16 }), { budgetMs: 8_000 }))).toEqual([]);
    const none = await runClean(d8InputIndependent, context(model, { x, y }, spec('meanSquaredError'), { budgetMs: 0 }));
    expect(none.map((f) => [f.severity, f.evidence.epochs, f.evidence.cutShort])).toEqual([['info', 0, true]]);
    tf.dispose([x, y]);
    model.dispose();
  });
});
