import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../findings/finding.js';
import { blobs, mlp, spec } from '../../test-support/tfjs-fixtures.js';
import { m9ShapeBugs } from './m9-shape-bugs.js';
import { hostLayer } from './test-support/layer-host.js';
import { expectNoLeak, expectProbeCase } from './test-support/probe-contract.js';

const cls = spec('categoricalCrossentropy');

/** The bug: reshape(x, [-1, 4]) on [batch, 8] — merges the batch with the features, declares [null, 4]. */
class MergeBatch extends tf.layers.Layer {
  static className = 'MergeBatchM9';
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    return [(s as tf.Shape)[0] ?? null, 4];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.reshape(x, [-1, 4]);
  }
}
tf.serialization.registerClass(MergeBatch);

/** The bug: a batch size of 16 hard-coded in a reshape. */
class FixedBatch extends tf.layers.Layer {
  static className = 'FixedBatchM9';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.reshape(x, [16, -1]);
  }
}
tf.serialization.registerClass(FixedBatch);

describe('M9 shape bugs', () => {
  const cases: Array<readonly [string, () => tf.LayersModel, (all: Finding[]) => void]> = [
    ['a plain MLP: nothing', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }), (all) => expect(all).toEqual([])],
    ['a conv net with free spatial dimensions: nothing', () => {
      const input = tf.input({ shape: [null, null, 1] });
      const c = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'conv' }).apply(input) as tf.SymbolicTensor;
      const g = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(c) as tf.SymbolicTensor;
      const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'output' }).apply(g) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: out });
    }, (all) => expect(all).toEqual([])],
    ['a reshape that merges batch with features: error naming the layer, 14 = batch 7 × 2', () => hostLayer(new MergeBatch({ name: 'merge' }), 'relu'), (all) => {
      expect(all.map((f) => [f.severity, f.layer])).toEqual([['error', 'merge']]);
      expect(all[0]?.message).toContain('14 = batch 7 × 2');
      expect(all[0]?.evidence['actualShape']).toEqual([14, 4]);
    }],
    ['a hard-coded batch size: error naming the layer', () => hostLayer(new FixedBatch({ name: 'fixed' }), 'relu'), (all) => {
      expect(all.map((f) => [f.severity, f.layer])).toEqual([['error', 'fixed']]);
      expect(all[0]?.title).toBe('The model fails on a batch of 7');
    }],
  ];

  it.each(cases)('%s', async (_name, build, check) => {
    await expectProbeCase(m9ShapeBugs, { data: () => blobs(32, 8, 3, 1), model: build }, cls, check);
  });

  it('disposes every tensor it creates', async () => {
    await expectNoLeak(m9ShapeBugs, { data: () => blobs(32, 8, 3, 1), model: () => hostLayer(new MergeBatch({ name: 'merge' }), 'relu') }, cls);
  });
});
