import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../findings/finding.js';
import { blobs, mlp, spec } from '../../test-support/tfjs-fixtures.js';
import { m8TrainInferenceGap } from './m8-train-inference-gap.js';
import { expectNoLeak, expectProbeCase } from './test-support/probe-contract.js';

const cls = spec('categoricalCrossentropy');

/** A custom layer that adds noise in training mode without being a known noise layer. */
class NoisyScale extends tf.layers.Layer {
  static className = 'NoisyScaleM8';
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return kwargs['training'] ? tf.mul(x, 1.5) : x;
  }
}
tf.serialization.registerClass(NoisyScale);

describe('M8 train vs inference mode', () => {
  const cases: Array<readonly [string, () => tf.LayersModel, (all: Finding[]) => void]> = [
    ['no dropout, no batch-norm: nothing', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }), (all) => expect(all).toEqual([])],
    ['dropout gap: info naming the dropout layer', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', dropout: 0.5 }), (all) => {
      expect(all.map((f) => [f.severity, f.layer])).toEqual([['info', 'dropout1']]);
      expect(all[0]?.evidence['layers']).toBe('dropout1 (Dropout)');
      expect(all[0]?.evidence['outputGap'] as number).toBeGreaterThan(0.01);
    }],
    ['untrained batch-norm: info naming the batch-norm layer, no warning', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', batchNorm: true }), (all) => {
      expect(all.map((f) => [f.severity, f.layer])).toEqual([['info', 'bn1']]);
    }],
    ['batch-norm whose moving statistics do not match the data: warning', () => {
      const m = mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', batchNorm: true });
      const bn = m.getLayer('bn1');
      // moving statistics from some other data: mean 40, variance 1e-2
      bn.setWeights(bn.getWeights().map((w, i) => (i === 2 ? tf.fill(w.shape, 40) : i === 3 ? tf.fill(w.shape, 1e-2) : w.clone())));
      return m;
    }, (all) => {
      expect(all.filter((f) => f.severity === 'warning').map((f) => f.layer)).toEqual(['bn1']);
    }],
    ['custom layer that changes with the training flag: warning', () => {
      const input = tf.input({ shape: [8] });
      const h = tf.layers.dense({ units: 16, activation: 'relu', name: 'hidden1' }).apply(input) as tf.SymbolicTensor;
      const s = new NoisyScale({ name: 'noisy' }).apply(h) as tf.SymbolicTensor;
      const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'output' }).apply(s) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: out });
    }, (all) => {
      expect(all.filter((f) => f.severity === 'warning').map((f) => f.layer)).toEqual(['noisy']);
    }],
  ];

  it.each(cases)('%s', async (_name, build, check) => {
    await expectProbeCase(m8TrainInferenceGap, { data: () => blobs(64, 8, 3, 1), model: build }, cls, check);
  });

  it('disposes every tensor it creates', async () => {
    await expectNoLeak(m8TrainInferenceGap, { data: () => blobs(64, 8, 3, 1), model: () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', dropout: 0.3, batchNorm: true }) }, cls);
  });
});
