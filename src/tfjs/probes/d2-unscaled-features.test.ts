import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { d2UnscaledFeatures } from './d2-unscaled-features.js';
import { context, loud, mlp, runClean, spec } from './test-support/probe-fixtures.js';

const y = (n: number) => tf.tensor1d(Array.from({ length: n }, (_, i) => i % 3));

describe('D2 unscaled features', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is silent on standardised features and a val split scaled the same way', async () => {
    const model = mlp(4, 3);
    const x = tf.randomNormal([128, 4], 0, 1, 'float32', 1);
    const xVal = tf.randomNormal([32, 4], 0, 1, 'float32', 2);
    const [yt, yv] = [y(128), y(32)];
    const findings = await runClean(d2UnscaledFeatures, context(model, { x, y: yt, xVal, yVal: yv }, spec('sparseCategoricalCrossentropy')));
    expect(findings).toEqual([]);
    tf.dispose([x, xVal, yt, yv]);
    model.dispose();
  });

  it('is silent on a rare binary flag and [0,1] pixel values', async () => {
    const model = mlp(2, 3);
    const x = tf.tensor2d(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? (i % 100 === 0 ? 1 : 0) : ((i * 37) % 100) / 100)), [100, 2]);
    const yt = y(100);
    expect(loud(await runClean(d2UnscaledFeatures, context(model, { x, y: yt }, spec('sparseCategoricalCrossentropy'))))).toEqual([]);
    tf.dispose([x, yt]);
    model.dispose();
  });

  it('errors on raw magnitudes in the thousands and names the feature', async () => {
    const model = mlp(3, 3);
    const x = tf.tidy(() =>
      tf.concat(
        [tf.randomNormal([128, 1], 50_000, 20_000, 'float32', 1), tf.randomNormal([128, 1], 40, 10, 'float32', 2), tf.randomNormal([128, 1], 0, 1, 'float32', 3)],
        1,
      ),
    );
    const yt = y(128);
    const findings = await runClean(d2UnscaledFeatures, context(model, { x, y: yt, featureNames: ['income', 'age', 'z'] }, spec('sparseCategoricalCrossentropy')));
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.severity).toBe('error');
    expect(f.evidence).toMatchObject({ worstFeature: 'income', flaggedFeatures: 2, largeStd: 2 });
    expect(f.evidence.rangeRatio as number).toBeGreaterThan(100);
    expect(f.message).toMatch(/income/);
    tf.dispose([x, yt]);
    model.dispose();
  });

  it('warns on [0,255] images (per channel)', async () => {
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
    const x = tf.tidy(() => tf.floor(tf.randomUniform([32, 4, 4, 1], 0, 256, 'float32', 3)));
    const yt = tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 2));
    const findings = await runClean(d2UnscaledFeatures, context(model, { x, y: yt, kind: 'image' }, spec('sparseCategoricalCrossentropy')));
    expect(findings.map((f) => [f.severity, f.evidence.worstFeature, f.evidence.largeStd])).toEqual([['warning', 'channel 0', 1]]);
    expect(findings[0]!.actions[0]).toMatch(/255/);
    tf.dispose([x, yt]);
    model.dispose();
  });

  it('warns when val was not scaled with the training statistics', async () => {
    const model = mlp(4, 3);
    const x = tf.randomNormal([128, 4], 0, 1, 'float32', 1);
    const xVal = tf.randomNormal([32, 4], 5, 3, 'float32', 2);
    const [yt, yv] = [y(128), y(32)];
    const findings = await runClean(d2UnscaledFeatures, context(model, { x, y: yt, xVal, yVal: yv }, spec('sparseCategoricalCrossentropy')));
    expect(findings).toHaveLength(1);
    expect(findings[0]!.severity).toBe('warning');
    expect(findings[0]!.evidence).toMatchObject({ split: 'val', tensor: 'xVal', shiftedFeatures: 4 });
    expect(findings[0]!.evidence.worstMeanShiftStd as number).toBeGreaterThan(3);
    tf.dispose([x, xVal, yt, yv]);
    model.dispose();
  });
});
