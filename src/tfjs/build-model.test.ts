import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { quietBackend } from './index.js';
import { buildModel, unsafeCrossentropy } from './build-model.js';
import { healthyConfig } from '../faults/config.js';
import { findFault } from '../faults/index.js';

quietBackend();
const models: tf.LayersModel[] = [];
afterAll(() => {
  for (const m of models) m.dispose();
});

function build(faultId: string | null, seed = 1): tf.LayersModel {
  const fault = faultId ? findFault(faultId) : undefined;
  const config = { ...healthyConfig(), seed };
  const m = buildModel(fault ? fault.apply(config) : config, 784, 10);
  models.push(m);
  return m;
}

const kernel = (m: tf.LayersModel, layer: string): number[] => Array.from(m.getLayer(layer).getWeights()[0]?.dataSync() ?? []);

describe('buildModel', () => {
  it('builds the healthy MLP with stable layer names and a fused softmax output', () => {
    const m = build(null);
    expect(m.layers.map((l) => l.name)).toEqual(['hidden1', 'hidden2', 'output']);
    expect(m.outputs[0]?.shape).toEqual([null, 10]);
    expect((m.getLayer('output').getConfig() as { activation?: string }).activation).toBe('softmax');
  });

  it('initialises reproducibly from the seed', () => {
    expect(kernel(build(null, 3), 'hidden1').slice(0, 20)).toEqual(kernel(build(null, 3), 'hidden1').slice(0, 20));
    expect(kernel(build(null, 3), 'hidden1').slice(0, 20)).not.toEqual(kernel(build(null, 4), 'hidden1').slice(0, 20));
  });

  it('wires each fault through the config', () => {
    expect(build('relu-before-softmax').layers.map((l) => l.name)).toEqual(['hidden1', 'hidden2', 'output', 'softmax']);
    expect((build('relu-before-softmax').getLayer('output').getConfig() as { activation?: string }).activation).toBe('relu');
    expect(build('log-zero-nan').layers.map((l) => l.name)).toEqual(['hidden1', 'hidden2', 'output', 'normalise']);
    const frozen = build('frozen-layers');
    expect(frozen.layers.map((l) => l.trainable)).toEqual([false, false, true]);
    const zero = build('zero-init');
    for (const name of ['hidden1', 'hidden2', 'output']) expect(kernel(zero, name).every((v) => v === 0)).toBe(true);
    expect(build('deep-sigmoid').layers.filter((l) => l.name.startsWith('hidden'))).toHaveLength(8);
  });

  it('makes probabilities that sum to one, and exact zeros with sum-normalised ReLU scores', () => {
    const x = tf.randomUniform([8, 784], 0, 1, 'float32', 5);
    const p = build(null).predict(x) as tf.Tensor;
    for (const s of tf.sum(p, -1).arraySync() as number[]) expect(s).toBeCloseTo(1, 5);
    const q = build('log-zero-nan').predict(x) as tf.Tensor;
    expect((q.dataSync() as Float32Array).some((v) => v === 0)).toBe(true);
    tf.dispose([x, p, q]);
  });

  it('drops out with a new seeded mask at every training call, and not at inference', () => {
    const m = build('heavy-dropout');
    expect(m.getLayer('dropout1').getClassName()).toBe('Dropout');
    const x = tf.ones([1, 784]);
    const a = m.apply(x, { training: true }) as tf.Tensor;
    const b = m.apply(x, { training: true }) as tf.Tensor;
    const c = m.predict(x) as tf.Tensor;
    const d = m.predict(x) as tf.Tensor;
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(b.dataSync()));
    expect(Array.from(c.dataSync())).toEqual(Array.from(d.dataSync()));
    // The same seed gives the same sequence of masks.
    const again = build('heavy-dropout');
    expect(Array.from((again.apply(x, { training: true }) as tf.Tensor).dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b, c, d]);
  });
});

describe('buildModel, conv and recurrent layers', () => {
  const layer = (kind: 'conv' | 'rnn' | 'dense', units: number, activation: 'relu' | 'tanh' = 'relu') =>
    ({ kind, units, activation, kernelInitializer: 'glorotUniform', dropout: 0, trainable: true }) as const;
  const withLayers = (hidden: ReturnType<typeof layer>[]) => ({ ...healthyConfig(), model: { ...healthyConfig().model, hidden } });

  it('builds a small CNN on the reshaped 28x28 image: strided convs, a flatten, then the dense head', () => {
    const m = buildModel(withLayers([layer('conv', 4), layer('conv', 8), layer('dense', 16)]), 784, 10);
    models.push(m);
    expect(m.layers.map((l) => l.name)).toEqual(['reshape', 'conv1', 'conv2', 'flatten', 'hidden1', 'output']);
    expect(m.getLayer('conv2').outputShape).toEqual([null, 7, 7, 8]);
    const p = m.predict(tf.zeros([2, 784])) as tf.Tensor;
    expect(p.shape).toEqual([2, 10]);
    p.dispose();
  });

  it('builds a small RNN reading the image row by row, returning sequences only into another RNN', () => {
    const m = buildModel(withLayers([layer('rnn', 6, 'tanh'), layer('rnn', 5, 'tanh')]), 784, 10);
    models.push(m);
    expect(m.layers.map((l) => l.name)).toEqual(['reshape', 'rnn1', 'rnn2', 'output']);
    expect(m.getLayer('rnn1').outputShape).toEqual([null, 28, 6]);
    expect(m.getLayer('rnn2').outputShape).toEqual([null, 5]);
  });

  it('zero-initialises recurrent kernels too, and keeps conv/rnn layers in front of the deep sigmoid stack', () => {
    const zero = buildModel(findFault('zero-init')?.apply(withLayers([layer('rnn', 4, 'tanh')])) ?? healthyConfig(), 784, 10);
    models.push(zero);
    for (const w of zero.getLayer('rnn1').getWeights()) expect(Array.from(w.dataSync()).every((v) => v === 0)).toBe(true);
    const deep = buildModel(findFault('deep-sigmoid')?.apply(withLayers([layer('conv', 4), layer('dense', 8)])) ?? healthyConfig(), 784, 10);
    models.push(deep);
    expect(deep.layers.map((l) => l.name).slice(0, 4)).toEqual(['reshape', 'conv1', 'flatten', 'hidden1']);
    expect(deep.layers.filter((l) => l.name.startsWith('hidden'))).toHaveLength(8);
  });

  it('refuses a conv layer after a dense one, and non-square inputs', () => {
    expect(() => buildModel(withLayers([layer('dense', 4), layer('conv', 4)]), 784, 10)).toThrow(/conv layers must come first/);
    expect(() => buildModel(withLayers([layer('conv', 4)]), 100 + 1, 10)).toThrow(/square images, got 101 features/);
  });
});

describe('unsafeCrossentropy', () => {
  it('matches the clipped library loss on safe probabilities and is NaN on a probability of 0', () => {
    const value = (yTrue: number[], yPred: number[]): number => tf.tidy(() => unsafeCrossentropy(tf.tensor2d([yTrue]), tf.tensor2d([yPred])).dataSync()[0] as number);
    const safe = tf.tidy(() => tf.metrics.categoricalCrossentropy(tf.tensor2d([[0, 1, 0]]), tf.tensor2d([[0.2, 0.5, 0.3]])).dataSync()[0] as number);
    expect(value([0, 1, 0], [0.2, 0.5, 0.3])).toBeCloseTo(safe, 5);
    expect(value([0, 1, 0], [0, 1, 0])).toBeNaN(); // 0 * log(0)
    expect(value([0, 1, 0], [0.5, 0, 0.5])).toBe(Infinity); // -1 * log(0)
  });
});
