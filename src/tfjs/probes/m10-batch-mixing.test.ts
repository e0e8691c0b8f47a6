import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../findings/finding.js';
import { blobs, mlp, spec } from '../../test-support/tfjs-fixtures.js';
import { m10BatchMixing } from './m10-batch-mixing.js';
import { hostLayer } from './test-support/layer-host.js';
import { expectNoLeak, expectProbeCase } from './test-support/probe-contract.js';

const cls = spec('categoricalCrossentropy');

/** The classic bug: a view (reshape) where a transpose was meant; shapes still line up. */
class ViewNotTranspose extends tf.layers.Layer {
  static className = 'ViewNotTransposeM10';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.reshape(tf.transpose(x), x.shape);
  }
}
tf.serialization.registerClass(ViewNotTranspose);

/** Centres each feature over the batch, only when training (a home-made normalisation). */
class TrainCentre extends tf.layers.Layer {
  static className = 'TrainCentreM10';
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return kwargs['training'] ? tf.sub(x, tf.mean(x, 0, true)) : x;
  }
}
tf.serialization.registerClass(TrainCentre);

describe('M10 batch mixing', () => {
  const cases: Array<readonly [string, () => tf.LayersModel, (all: Finding[]) => void]> = [
    ['a plain MLP: nothing', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }), (all) => expect(all).toEqual([])],
    ['MLP with dropout: nothing', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', dropout: 0.3 }), (all) => expect(all).toEqual([])],
    ['batch-norm: excepted in training mode, said so (info only)', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', batchNorm: true }), (all) => {
      expect(all.map((f) => [f.severity, f.evidence['batchNormExcepted']])).toEqual([['info', true]]);
    }],
    ['a batch-mixing reshape (view instead of transpose): error naming the layer', () => hostLayer(new ViewNotTranspose({ name: 'view' }), 'tanh'), (all) => {
      expect(all.map((f) => [f.severity, f.layer])).toEqual([['error', 'view']]);
      expect(all[0]?.evidence['leakRatio'] as number).toBeGreaterThan(1e-3);
    }],
    ['batch statistics in a custom layer in training mode only: warning naming it', () => hostLayer(new TrainCentre({ name: 'centre' }), 'tanh'), (all) => {
      expect(all.map((f) => [f.severity, f.layer])).toEqual([['warning', 'centre']]);
    }],
  ];

  it.each(cases)('%s', async (_name, build, check) => {
    await expectProbeCase(m10BatchMixing, { data: () => blobs(32, 8, 3, 1), model: build }, cls, check);
  });

  it('disposes every tensor it creates', async () => {
    await expectNoLeak(m10BatchMixing, { data: () => blobs(32, 8, 3, 1), model: () => hostLayer(new ViewNotTranspose({ name: 'view' }), 'tanh') }, cls);
  });
});
