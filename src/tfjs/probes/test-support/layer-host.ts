/**
 * Test support for probe tests of custom layers (not shipped): a tiny functional model that hosts the
 * layer under test between a hidden dense layer and a softmax output.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * input [8] -> dense(8, `hiddenActivation`, 'hidden1') -> `layer` -> dense(3, softmax, 'output').
 * The dense kernels use TF.js's default (unseeded) initialiser.
 * @example
 * const model = hostLayer(new ViewNotTranspose({ name: 'view' }), 'tanh');
 */
export function hostLayer(layer: tf.layers.Layer, hiddenActivation: 'relu' | 'tanh'): tf.LayersModel {
  const input = tf.input({ shape: [8] });
  const h = tf.layers.dense({ units: 8, activation: hiddenActivation, name: 'hidden1' }).apply(input) as tf.SymbolicTensor;
  const mid = layer.apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'output' }).apply(mid) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}
