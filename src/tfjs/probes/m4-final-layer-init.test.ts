import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { m4FinalLayerInit } from './m4-final-layer-init.js';
import { context, mlp, runClean, spec } from './test-support/probe-fixtures.js';

const imbalanced = (n: number) => tf.tensor1d(Array.from({ length: n }, (_, i) => (i % 10 < 8 ? 0 : i % 10 === 8 ? 1 : 2)));

describe('M4 final-layer init', () => {
  let x: tf.Tensor;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    x = tf.randomNormal([100, 4], 0, 1, 'float32', 1);
  });

  it('is silent on balanced classes', async () => {
    const model = mlp(4, 3);
    const y = tf.tensor1d(Array.from({ length: 100 }, (_, i) => i % 3));
    expect(await runClean(m4FinalLayerInit, context(model, { x, y }, spec('sparseCategoricalCrossentropy')))).toEqual([]);
    tf.dispose(y);
    model.dispose();
  });

  it('warns on an 80/10/10 prior with a zero bias and suggests the log-prior', async () => {
    const model = mlp(4, 3);
    const y = imbalanced(100);
    const findings = await runClean(m4FinalLayerInit, context(model, { x, y }, spec('sparseCategoricalCrossentropy')));
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.severity).toBe('warning');
    expect(f.layer).toBe(model.layers[1]!.name);
    expect(f.evidence).toMatchObject({ imbalanceRatio: 8, currentBias: [0, 0, 0] });
    const s = f.evidence.suggestedBias as number[];
    // log(81/103) - log(11/103) = 1.997
    expect(s[0]! - s[1]!).toBeCloseTo(Math.log(81 / 11), 2);
    expect(s[1]).toBeCloseTo(s[2]!, 5);
    // once the bias is set as suggested, M4 is silent
    const [k] = model.layers[1]!.getWeights();
    const clone = mlp(4, 3);
    clone.layers[0]!.setWeights(model.layers[0]!.getWeights());
    const b = tf.tensor1d(s);
    clone.layers[1]!.setWeights([k!, b]);
    expect(await runClean(m4FinalLayerInit, context(clone, { x, y }, spec('sparseCategoricalCrossentropy')))).toEqual([]);
    tf.dispose([y, b]);
    model.dispose();
    clone.dispose();
  });

  it('warns on a rare positive class with a zero sigmoid bias', async () => {
    const model = mlp(4, 1);
    const y = tf.tensor2d(Array.from({ length: 100 }, (_, i) => (i % 20 === 0 ? 1 : 0)), [100, 1]);
    const findings = await runClean(m4FinalLayerInit, context(model, { x, y }, spec('binaryCrossentropy')));
    expect(findings.map((f) => f.severity)).toEqual(['warning']);
    expect((findings[0]!.evidence.suggestedBias as number[])[0]).toBeCloseTo(Math.log(5.5 / 95.5), 3);
    tf.dispose(y);
    model.dispose();
  });

  it('regression: warns when targets sit far from the initial predictions, silent when centred', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [4], activation: 'relu' }), tf.layers.dense({ units: 1 })] });
    const yFar = tf.randomNormal([100, 1], 100, 5, 'float32', 2);
    const yNear = tf.randomNormal([100, 1], 0, 5, 'float32', 3);
    const findings = await runClean(m4FinalLayerInit, context(model, { x, y: yFar }, spec('meanSquaredError')));
    expect(findings.map((f) => f.severity)).toEqual(['warning']);
    expect((findings[0]!.evidence.suggestedBias as number[])[0]).toBeGreaterThan(90);
    expect(findings[0]!.evidence.worstGapStds as number).toBeGreaterThan(15);
    expect(await runClean(m4FinalLayerInit, context(model, { x, y: yNear }, spec('meanSquaredError')))).toEqual([]);
    tf.dispose([yFar, yNear]);
    model.dispose();
  });
});
