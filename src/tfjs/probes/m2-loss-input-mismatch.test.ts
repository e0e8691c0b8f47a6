import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { m2LossInputMismatch } from './m2-loss-input-mismatch.js';
import { context, runClean, spec } from './test-support/probe-fixtures.js';

/** A custom layer that applies softmax internally: invisible to the static check. */
class HiddenSoftmax extends tf.layers.Layer {
  static readonly className = 'M2TestHiddenSoftmax';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.softmax(Array.isArray(inputs) ? inputs[0]! : inputs));
  }
}
tf.serialization.registerClass(HiddenSoftmax);

const head = (units: number, activation?: string) =>
  tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [4], activation: 'relu' }), tf.layers.dense({ units, activation: activation as 'linear', name: 'out' })] });

describe('M2 loss input mismatch', () => {
  let x: tf.Tensor;
  let y: tf.Tensor;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    x = tf.randomNormal([16, 4], 0, 1, 'float32', 1);
    y = tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 3));
  });

  it('is silent on the correct pairings', async () => {
    const cases: Array<[tf.LayersModel, ReturnType<typeof spec>]> = [
      [head(3, 'softmax'), spec('sparseCategoricalCrossentropy')],
      [head(3), spec('sparseCategoricalCrossentropy', { fromLogits: true })],
      [head(1, 'sigmoid'), spec('binaryCrossentropy')],
      [head(1), spec('binaryCrossentropy', { fromLogits: true })],
      [head(1), spec('meanSquaredError')],
    ];
    for (const [model, s] of cases) {
      expect(await runClean(m2LossInputMismatch, context(model, { x, y }, s)), `${s.loss} ${s.fromLogits}`).toEqual([]);
      model.dispose();
    }
  });

  it('errors on softmax outputs with fromLogits: true', async () => {
    const model = head(3, 'softmax');
    const findings = await runClean(m2LossInputMismatch, context(model, { x, y }, spec('sparseCategoricalCrossentropy', { fromLogits: true })));
    expect(findings.map((f) => [f.severity, f.title, f.layer])).toEqual([['error', 'Loss input mismatch: probabilities fed to a loss expecting logits', 'out']]);
    model.dispose();
  });

  it('errors on linear outputs with a probability loss, with the measured range', async () => {
    const model = head(3);
    const findings = await runClean(m2LossInputMismatch, context(model, { x, y }, spec('sparseCategoricalCrossentropy')));
    expect(findings).toHaveLength(1);
    expect(findings[0]!.severity).toBe('error');
    expect(findings[0]!.title).toMatch(/logits fed to a probability loss/);
    expect(findings[0]!.evidence.finalActivation).toBe('linear');
    expect(findings[0]!.evidence.maxRowSumError as number).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('errors on a double softmax and on a softmax over one unit', async () => {
    const dbl = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], activation: 'softmax' }), tf.layers.activation({ activation: 'softmax' })] });
    const one = head(1, 'softmax');
    const f1 = await runClean(m2LossInputMismatch, context(dbl, { x, y }, spec('sparseCategoricalCrossentropy')));
    expect(f1.map((f) => [f.severity, f.title])).toEqual([['error', 'Loss input mismatch: double softmax']]);
    const f2 = await runClean(m2LossInputMismatch, context(one, { x, y }, spec('binaryCrossentropy')));
    expect(f2.map((f) => [f.severity, f.title, f.evidence.outputUnits])).toEqual([['error', 'Loss input mismatch: softmax over one unit', 1]]);
    dbl.dispose();
    one.dispose();
  });

  it('numerically catches a softmax hidden in a custom layer when fromLogits is set', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] }), new HiddenSoftmax({})] });
    const findings = await runClean(m2LossInputMismatch, context(model, { x, y }, spec('sparseCategoricalCrossentropy', { fromLogits: true })));
    expect(findings.map((f) => [f.severity, f.title])).toEqual([['error', 'Loss input mismatch: probabilities fed to a loss expecting logits']]);
    expect(findings[0]!.evidence.maxRowSumError as number).toBeLessThan(1e-3);
    model.dispose();
  });

  it('warns on sigmoid outputs with a categorical loss', async () => {
    const model = head(3, 'sigmoid');
    const findings = await runClean(m2LossInputMismatch, context(model, { x, y }, spec('sparseCategoricalCrossentropy')));
    expect(findings.map((f) => f.severity)).toEqual(['warning']);
    model.dispose();
  });
});
