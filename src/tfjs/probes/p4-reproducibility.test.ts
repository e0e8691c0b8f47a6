import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../findings/finding.js';
import { blobs, mlp, spec } from '../../test-support/tfjs-fixtures.js';
import { p4Reproducibility } from './p4-reproducibility.js';
import { expectNoLeak, expectProbeCase } from './test-support/probe-contract.js';

const cls = spec('categoricalCrossentropy');

/** A custom layer that adds unseeded noise while training. */
class Jitter extends tf.layers.Layer {
  static className = 'JitterP4';
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return kwargs['training'] ? tf.add(x, tf.randomNormal(x.shape, 0, 0.1)) : x;
  }
}
tf.serialization.registerClass(Jitter);

describe('P4 reproducibility', () => {
  const cases: Array<readonly [string, () => tf.LayersModel, (all: Finding[]) => void]> = [
    ['a deterministic MLP: info only, and fit(shuffle) named as unseeded', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }), (all) => {
      expect(all.map((f) => f.severity)).toEqual(['info']);
      expect(all[0]?.evidence['fitShuffleReproducible']).toBe(false);
      expect(all[0]?.evidence['initialisationSeeded']).toBe(true);
    }],
    ['dropout without a seed: warning naming dropout as the source', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', dropout: 0.3 }), (all) => {
      expect(all.map((f) => [f.severity, f.layer])).toEqual([['warning', 'dropout1']]);
      expect(String(all[0]?.evidence['source'])).toContain('dropout/noise layers without a seed');
      expect(all[0]?.evidence['reproducibleWithoutNoiseLayers']).toBe(true);
    }],
    ['a custom layer with its own randomness: warning naming the custom layer', () => {
      const input = tf.input({ shape: [8] });
      const h = tf.layers.dense({ units: 16, activation: 'relu', name: 'hidden1', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
      const j = new Jitter({ name: 'jitter' }).apply(h) as tf.SymbolicTensor;
      const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'output' }).apply(j) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: out });
    }, (all) => {
      expect(all.map((f) => [f.severity, f.layer])).toEqual([['warning', 'jitter']]);
      expect(String(all[0]?.evidence['source'])).toContain('nondeterministic');
      expect(all[0]?.evidence['initialisationSeeded']).toBe(false);
    }],
  ];

  it.each(cases)('%s', async (_name, build, check) => {
    await expectProbeCase(p4Reproducibility, { data: () => blobs(64, 8, 3, 1), model: build }, cls, check);
  });

  it('disposes every tensor it creates', async () => {
    await expectNoLeak(p4Reproducibility, { data: () => blobs(64, 8, 3, 1), model: () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', dropout: 0.3 }) }, cls);
  });
});
