/**
 * Calibration of M6's thresholds (not shipped, not a test): runs the gradient check on correct
 * built-in layers and on deliberately wrong custom gradients over many seeds and prints the per-layer
 * relative errors, the largest for correct models and the smallest "largest" for wrong ones.
 * Run: npx tsx src/tfjs/probes/test-support/m6-calibration.ts [seeds=24]
 */
import * as tf from '@tensorflow/tfjs';
import { m6GradientCheck } from '../m6-gradient-check.js';
import { RightSquare, WrongSignScale, WrongSquare, WrongTanh } from './gradient-layers.js';
import { context, spec } from './probe-fixtures.js';

let initSeed = 0;
const dense = (units: number, activation: string, extra: object = {}) =>
  tf.layers.dense({ units, activation: activation as 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: ++initSeed }), ...extra });

const cases: Record<string, { build: () => tf.LayersModel; inShape: number[]; loss: string; fromLogits?: boolean; wrong?: boolean }> = {
  relu: { build: () => tf.sequential({ layers: [dense(16, 'relu', { inputShape: [6] }), dense(16, 'relu'), dense(4, 'softmax')] }), inShape: [6], loss: 'sparseCategoricalCrossentropy' },
  tanhSigmoidLogits: { build: () => tf.sequential({ layers: [dense(16, 'tanh', { inputShape: [6] }), dense(16, 'sigmoid'), dense(4, 'linear')] }), inShape: [6], loss: 'sparseCategoricalCrossentropy', fromLogits: true },
  mse: { build: () => tf.sequential({ layers: [dense(16, 'relu', { inputShape: [6] }), dense(2, 'linear')] }), inShape: [6], loss: 'meanSquaredError' },
  bce: { build: () => tf.sequential({ layers: [dense(8, 'elu', { inputShape: [6] }), dense(1, 'sigmoid')] }), inShape: [6], loss: 'binaryCrossentropy' },
  conv: {
    build: () => tf.sequential({ layers: [tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 2] }), tf.layers.maxPooling2d({ poolSize: 2 }), tf.layers.flatten(), dense(4, 'softmax')] }),
    inShape: [6, 6, 2],
    loss: 'sparseCategoricalCrossentropy',
  },
  batchNorm: {
    build: () => tf.sequential({ layers: [dense(16, 'linear', { inputShape: [6] }), tf.layers.batchNormalization(), tf.layers.activation({ activation: 'relu' }), tf.layers.dropout({ rate: 0.5 }), dense(4, 'softmax')] }),
    inShape: [6],
    loss: 'sparseCategoricalCrossentropy',
  },
  simpleRNN: { build: () => tf.sequential({ layers: [tf.layers.simpleRNN({ units: 6, inputShape: [5, 3] }), dense(4, 'softmax')] }), inShape: [5, 3], loss: 'sparseCategoricalCrossentropy' },
  lstm: { build: () => tf.sequential({ layers: [tf.layers.lstm({ units: 6, inputShape: [5, 3] }), dense(4, 'softmax')] }), inShape: [5, 3], loss: 'sparseCategoricalCrossentropy' },
  rightSquare: { build: () => tf.sequential({ layers: [dense(8, 'tanh', { inputShape: [6] }), new RightSquare({}), dense(4, 'softmax')] }), inShape: [6], loss: 'sparseCategoricalCrossentropy' },
  wrongSquare3x: { build: () => tf.sequential({ layers: [dense(8, 'tanh', { inputShape: [6] }), new WrongSquare({}), dense(4, 'softmax')] }), inShape: [6], loss: 'sparseCategoricalCrossentropy', wrong: true },
  wrongTanh: { build: () => tf.sequential({ layers: [dense(8, 'linear', { inputShape: [6] }), new WrongTanh({}), dense(4, 'softmax')] }), inShape: [6], loss: 'sparseCategoricalCrossentropy', wrong: true },
  wrongSignWeight: { build: () => tf.sequential({ layers: [dense(8, 'relu', { inputShape: [6] }), new WrongSignScale({}), dense(4, 'softmax')] }), inShape: [6], loss: 'sparseCategoricalCrossentropy', wrong: true },
};

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const seeds = Number(process.argv[2] ?? 24);
  for (const [name, c] of Object.entries(cases)) {
    const maxima: number[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const model = c.build();
      const x = tf.randomNormal([16, ...c.inShape], 0, 1, 'float32', seed);
      const y =
        c.loss === 'meanSquaredError'
          ? tf.randomNormal([16, 2], 0, 1, 'float32', seed + 10)
          : c.loss === 'binaryCrossentropy'
            ? tf.tensor2d(Array.from({ length: 16 }, (_, i) => i % 2), [16, 1])
            : tf.tensor1d(Array.from({ length: 16 }, (_, i) => (i * 3 + seed) % 4));
      const [f] = await m6GradientCheck.run(context(model, { x, y }, spec(c.loss, c.fromLogits ? { fromLogits: true } : {}), { seed }));
      maxima.push(Math.max(...((f?.evidence.relativeErrors as number[] | undefined) ?? [Number.NaN])));
      tf.dispose([x, y]);
      model.dispose();
    }
    const fmt = (v: number): string => v.toExponential(1);
    console.log(`${name.padEnd(18)} ${c.wrong ? 'wrong  ' : 'correct'} largest ${fmt(Math.max(...maxima))}  smallest ${fmt(Math.min(...maxima))}  median ${fmt([...maxima].sort((a, b) => a - b)[Math.floor(maxima.length / 2)] as number)}`);
  }
}

void main();
