import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { m3InitialLoss } from './m3-initial-loss.js';
import { blobs, context, mlp, runClean, spec } from './test-support/probe-fixtures.js';

const classifier = (classes: number, finalInit?: ReturnType<typeof tf.initializers.glorotUniform>) =>
  tf.sequential({
    layers: [
      tf.layers.dense({ units: 16, inputShape: [4], activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 1 }) }),
      tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: finalInit ?? tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });

describe('M3 loss at initialisation', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is silent when a 10-class softmax starts near ln(10) and a sigmoid near ln(2)', async () => {
    const model = classifier(10, tf.initializers.randomNormal({ stddev: 0.01, seed: 2 }));
    const { x, labels } = blobs(128, 4, 10, 1);
    const y = tf.tensor1d(labels);
    expect(await runClean(m3InitialLoss, context(model, { x, y }, spec('sparseCategoricalCrossentropy')))).toEqual([]);
    const binary = mlp(4, 1);
    const yb = tf.tensor2d(labels.map((l) => l % 2), [128, 1]);
    expect(await runClean(m3InitialLoss, context(binary, { x, y: yb }, spec('binaryCrossentropy')))).toEqual([]);
    tf.dispose([x, y, yb]);
    model.dispose();
    binary.dispose();
  });

  it('warns when a large final-layer init makes the first predictions confidently wrong', async () => {
    const model = classifier(10, tf.initializers.randomNormal({ stddev: 5, seed: 2 }));
    const { x, labels } = blobs(128, 4, 10, 1);
    const y = tf.tensor1d(labels);
    const findings = await runClean(m3InitialLoss, context(model, { x, y }, spec('sparseCategoricalCrossentropy')));
    expect(findings).toHaveLength(1);
    expect(findings[0]!.severity).toBe('warning');
    expect(findings[0]!.evidence).toMatchObject({ reference: 'ln(10)', expected: 2.303 });
    expect(findings[0]!.evidence.measured as number).toBeGreaterThan(2.803);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('regression: silent at the predict-0 level, warns when outputs dwarf tiny targets', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [4], activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) }), tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotNormal({ seed: 4 }) })] });
    const x = tf.randomNormal([64, 4], 0, 1, 'float32', 5);
    const yBig = tf.randomNormal([64, 1], 3, 2, 'float32', 6);
    const ySmall = tf.randomNormal([64, 1], 0, 0.01, 'float32', 7);
    expect(await runClean(m3InitialLoss, context(model, { x, y: yBig }, spec('meanSquaredError')))).toEqual([]);
    const findings = await runClean(m3InitialLoss, context(model, { x, y: ySmall }, spec('meanSquaredError')));
    expect(findings.map((f) => [f.severity, f.evidence.reference])).toEqual([['warning', 'predict-0 loss']]);
    expect(findings[0]!.evidence.ratio as number).toBeGreaterThan(2);
    tf.dispose([x, yBig, ySmall]);
    model.dispose();
  });

  it('errors on a non-finite initial loss', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], activation: 'softmax', biasInitializer: tf.initializers.constant({ value: Number.NaN }) })] });
    const x = tf.randomNormal([8, 4], 0, 1, 'float32', 1);
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1]);
    const findings = await runClean(m3InitialLoss, context(model, { x, y }, spec('sparseCategoricalCrossentropy')));
    expect(findings.map((f) => f.severity)).toEqual(['error']);
    tf.dispose([x, y]);
    model.dispose();
  });
});
