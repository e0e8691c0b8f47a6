import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import { m6GradientCheck } from './m6-gradient-check.js';
import { context, spec } from './test-support/probe-fixtures.js';
it('debug', async () => {
  await tf.setBackend('cpu');
  let initSeed = 0;
  const dense = (units: number, activation: string, extra: object = {}) => tf.layers.dense({ units, activation: activation as 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: ++initSeed }), ...extra });
  // reproduce the initSeed sequence: relu(3 dense x16), tanh(3x16), then mse (2 per model)
  initSeed = 3 * 16 + 3 * 16 + 2 * 8;
  const seed = 9;
  const model = tf.sequential({ layers: [dense(16, 'relu', { inputShape: [6] }), dense(2, 'linear')] });
  const x = tf.randomNormal([16, 6], 0, 1, 'float32', seed);
  const y = tf.randomNormal([16, 2], 0, 1, 'float32', seed + 10);
  process.env['M6_DEBUG'] = '1';
  const f = await m6GradientCheck.run(context(model, { x, y }, spec('meanSquaredError'), { seed }));
  console.log(f[0]!.evidence.relativeErrors);
});
