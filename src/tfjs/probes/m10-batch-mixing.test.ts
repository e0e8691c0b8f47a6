import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../findings/finding.js';
import { blobs, disposeData, mlp, runProbe, spec } from '../../test-support/tfjs-fixtures.js';
import { m10BatchMixing } from './m10-batch-mixing.js';

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

function withLayer(layer: tf.layers.Layer): tf.LayersModel {
  const input = tf.input({ shape: [8] });
  const h = tf.layers.dense({ units: 8, activation: 'tanh', name: 'hidden1' }).apply(input) as tf.SymbolicTensor;
  const mid = layer.apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'output' }).apply(mid) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

describe('M10 batch mixing', () => {
  const cases: Array<readonly [string, () => tf.LayersModel, (all: Finding[]) => void]> = [
    ['a plain MLP: nothing', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }), (all) => expect(all).toEqual([])],
    ['MLP with dropout: nothing', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', dropout: 0.3 }), (all) => expect(all).toEqual([])],
    ['batch-norm: excepted in training mode, said so (info only)', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', batchNorm: true }), (all) => {
      expect(all.map((f) => [f.severity, f.evidence['batchNormExcepted']])).toEqual([['info', true]]);
    }],
    ['a batch-mixing reshape (view instead of transpose): error naming the layer', () => withLayer(new ViewNotTranspose({ name: 'view' })), (all) => {
      expect(all.map((f) => [f.severity, f.layer])).toEqual([['error', 'view']]);
      expect(all[0]?.evidence['leakRatio'] as number).toBeGreaterThan(1e-3);
    }],
    ['batch statistics in a custom layer in training mode only: warning naming it', () => withLayer(new TrainCentre({ name: 'centre' })), (all) => {
      expect(all.map((f) => [f.severity, f.layer])).toEqual([['warning', 'centre']]);
    }],
  ];

  it.each(cases)('%s', async (_name, build, check) => {
    const data = blobs(32, 8, 3, 1);
    const model = build();
    const r = await runProbe(m10BatchMixing, model, data, cls);
    check(r.findings);
    expect(r.modelUnchanged).toBe(true);
    expect(r.dataUnchanged).toBe(true);
    model.dispose();
    disposeData(data);
  });

  it('disposes every tensor it creates', async () => {
    const data = blobs(32, 8, 3, 1);
    const model = withLayer(new ViewNotTranspose({ name: 'view' }));
    await runProbe(m10BatchMixing, model, data, cls);
    const r = await runProbe(m10BatchMixing, model, data, cls);
    expect(r.leaked).toBe(0);
    model.dispose();
    disposeData(data);
  });
});
