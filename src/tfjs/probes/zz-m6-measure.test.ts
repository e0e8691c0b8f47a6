import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import { m6GradientCheck } from './m6-gradient-check.js';
import { context, spec } from './test-support/probe-fixtures.js';
import { RightSquare, WrongSignScale, WrongSquare, WrongTanh } from './test-support/gradient-layers.js';

type Build = () => tf.LayersModel;
let initSeed = 0;
const dense = (units: number, activation: string, extra: object = {}) => tf.layers.dense({ units, activation: activation as 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: ++initSeed }), ...extra });
const cases: Record<string, { build: Build; inShape: number[]; loss: string; fromLogits?: boolean }> = {
  relu: { build: () => tf.sequential({ layers: [dense(16, 'relu', { inputShape: [6] }), dense(16, 'relu'), dense(4, 'softmax')] }), inShape: [6], loss: 'sparseCategoricalCrossentropy' },
  tanh: { build: () => tf.sequential({ layers: [dense(16, 'tanh', { inputShape: [6] }), dense(16, 'sigmoid'), dense(4, 'linear')] }), inShape: [6], loss: 'sparseCategoricalCrossentropy', fromLogits: true },
  mse: { build: () => tf.sequential({ layers: [dense(16, 'relu', { inputShape: [6] }), dense(2, 'linear')] }), inShape: [6], loss: 'meanSquaredError' },
  bce: { build: () => tf.sequential({ layers: [dense(8, 'elu', { inputShape: [6] }), dense(1, 'sigmoid')] }), inShape: [6], loss: 'binaryCrossentropy' },
  conv: { build: () => tf.sequential({ layers: [tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 2] }), tf.layers.maxPooling2d({ poolSize: 2 }), tf.layers.flatten(), dense(4, 'softmax')] }), inShape: [6, 6, 2], loss: 'sparseCategoricalCrossentropy' },
  bn: { build: () => tf.sequential({ layers: [dense(16, 'linear', { inputShape: [6] }), tf.layers.batchNormalization(), tf.layers.activation({ activation: 'relu' }), tf.layers.dropout({ rate: 0.5 }), dense(4, 'softmax')] }), inShape: [6], loss: 'sparseCategoricalCrossentropy' },
  rnn: { build: () => tf.sequential({ layers: [tf.layers.simpleRNN({ units: 6, inputShape: [5, 3] }), dense(4, 'softmax')] }), inShape: [5, 3], loss: 'sparseCategoricalCrossentropy' },
  lstm: { build: () => tf.sequential({ layers: [tf.layers.lstm({ units: 6, inputShape: [5, 3] }), dense(4, 'softmax')] }), inShape: [5, 3], loss: 'sparseCategoricalCrossentropy' },
  rightSq: { build: () => tf.sequential({ layers: [dense(8, 'tanh', { inputShape: [6] }), new RightSquare({}), dense(4, 'softmax')] }), inShape: [6], loss: 'sparseCategoricalCrossentropy' },
  wrongSq: { build: () => tf.sequential({ layers: [dense(8, 'tanh', { inputShape: [6] }), new WrongSquare({}), dense(4, 'softmax')] }), inShape: [6], loss: 'sparseCategoricalCrossentropy' },
  wrongTanh: { build: () => tf.sequential({ layers: [dense(8, 'linear', { inputShape: [6] }), new WrongTanh({}), dense(4, 'softmax')] }), inShape: [6], loss: 'sparseCategoricalCrossentropy' },
  wrongSign: { build: () => tf.sequential({ layers: [dense(8, 'relu', { inputShape: [6] }), new WrongSignScale({}), dense(4, 'softmax')] }), inShape: [6], loss: 'sparseCategoricalCrossentropy' },
};

it('measure', async () => {
  await tf.setBackend('cpu');
  for (const [name, c] of Object.entries(cases)) {
    if (process.env['CASES'] && !process.env['CASES'].split(',').includes(name)) continue;
    const rows: string[] = [];
    for (const seed of Array.from({ length: Number(process.env['SEEDS'] ?? 8) }, (_, i) => i + 1)) {
      const model = c.build();
      const x = tf.randomNormal([16, ...c.inShape], 0, 1, 'float32', seed);
      const y = c.loss === 'meanSquaredError' ? tf.randomNormal([16, 2], 0, 1, 'float32', seed + 10) : c.loss === 'binaryCrossentropy' ? tf.tensor2d(Array.from({ length: 16 }, (_, i) => i % 2), [16, 1]) : tf.tensor1d(Array.from({ length: 16 }, (_, i) => (i * 3 + seed) % 4));
      const t0 = Date.now();
      const f = await m6GradientCheck.run(context(model, { x, y }, spec(c.loss, c.fromLogits ? { fromLogits: true } : {}), { seed }));
      rows.push(`${f[0]!.severity[0]}[${(f[0]!.evidence.relativeErrors as number[]).map((v) => v.toExponential(0)).join(' ')}]${Date.now() - t0}ms/${f[0]!.evidence.inconclusiveDirections}`);
      tf.dispose([x, y]);
      model.dispose();
    }
    console.log(name.padEnd(10), rows.join(' | '));
    console.log('MAX', name, Math.max(...rows.map((r) => Math.max(...r.slice(2, r.indexOf(']')).split(' ').map(Number)))).toExponential(1), 'MIN-of-max', Math.min(...rows.map((r) => Math.max(...r.slice(2, r.indexOf(']')).split(' ').map(Number)))).toExponential(1));
  }
}, 300_000);
