import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../findings/finding.js';
import { blobs, mlp, spec } from '../../test-support/tfjs-fixtures.js';
import { compareModels, p6CompareModels } from './p6-compare-models.js';
import { expectNoLeak, expectProbeCase } from './test-support/probe-contract.js';

/** The bug: `factor` is a constructor argument but not in getConfig, so a reloaded model uses 1. */
class Scale extends tf.layers.Layer {
  static className = 'ScaleP6';
  readonly factor: number;
  constructor(args: { factor?: number; name?: string }) {
    super(args);
    this.factor = args.factor ?? 1;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.mul(Array.isArray(inputs) ? inputs[0]! : inputs, this.factor);
  }
}
tf.serialization.registerClass(Scale);

/** Identity forward, gradient doubled backward. */
class DoubleGrad extends tf.layers.Layer {
  static className = 'DoubleGradP6';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const f = tf.customGrad(((t: tf.Tensor, save: tf.GradSaveFunc) => {
      save([t]);
      return { value: tf.clone(t), gradFunc: (dy: tf.Tensor) => tf.mul(dy, 2) };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return f(x) as tf.Tensor;
  }
}
tf.serialization.registerClass(DoubleGrad);

function net(middle: tf.layers.Layer | null, seed = 1): tf.LayersModel {
  const input = tf.input({ shape: [8] });
  let h = tf.layers.dense({ units: 8, activation: 'tanh', name: 'hidden1', kernelInitializer: tf.initializers.glorotUniform({ seed }) }).apply(input) as tf.SymbolicTensor;
  if (middle) h = middle.apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: 8, activation: 'tanh', name: 'hidden2', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'output', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

describe('P6 compareModels', () => {
  it('identical implementations: no difference anywhere', async () => {
    const x = tf.randomNormal([5, 8], 0, 1, 'float32', 3);
    const c = await compareModels(net(null), net(null), x);
    expect(c.firstOutputDifference).toBeNull();
    expect(c.firstGradientDifferenceFromEnd).toBeNull();
    expect(c.layersCompared).toBe(3);
    expect(c.gradients.map((g) => g.layerA)).toEqual(['hidden1', 'hidden2', 'output']);
    x.dispose();
  });

  it('a changed layer: the first output difference names it; gradients differ from the end up to it', async () => {
    const a = net(null);
    const b = net(null);
    const h2 = b.getLayer('hidden2');
    h2.setWeights(h2.getWeights().map((w) => tf.mul(w, 1.5)));
    const x = tf.randomNormal([5, 8], 0, 1, 'float32', 3);
    const c = await compareModels(a, b, x);
    expect(c.firstOutputDifference?.layerB).toBe('hidden2');
    expect(c.outputs[0]?.relative).toBe(0);
    expect(c.firstGradientDifferenceFromEnd?.layerB).toBe('output');
    x.dispose();
  });

  it('a wrong backward pass: outputs agree, gradients from the end first differ before the culprit', async () => {
    const x = tf.randomNormal([5, 8], 0, 1, 'float32', 3);
    const c = await compareModels(net(new Scale({ factor: 1, name: 'mid' })), net(new DoubleGrad({ name: 'mid' })), x);
    expect(c.firstOutputDifference).toBeNull();
    expect(c.firstGradientDifferenceFromEnd?.layerA).toBe('hidden1');
    expect(c.gradientSuspect).toBe('mid');
    x.dispose();
  });
});

describe('P6 probe (model vs its save/load clone)', () => {
  const cases: Array<readonly [string, () => tf.LayersModel, (all: Finding[]) => void]> = [
    ['a standard MLP round-trips: nothing', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', dropout: 0.2, batchNorm: true }), (all) => expect(all).toEqual([])],
    ['a custom layer that forgets a parameter in getConfig: error naming it', () => net(new Scale({ factor: 3, name: 'scale' })), (all) => {
      expect(all.map((f) => [f.severity, f.layer])).toEqual([['error', 'scale']]);
      expect(all[0]?.evidence['firstOutputDifference']).toBe('scale');
    }],
  ];

  it.each(cases)('%s', async (_name, build, check) => {
    await expectProbeCase(p6CompareModels, { data: () => blobs(32, 8, 3, 1), model: build }, spec('categoricalCrossentropy'), check);
  });

  it('disposes every tensor it creates', async () => {
    await expectNoLeak(p6CompareModels, { data: () => blobs(32, 8, 3, 1), model: () => net(new Scale({ factor: 3, name: 'scale' })) }, spec('categoricalCrossentropy'));
  });
});
