/**
 * Full preflight (every probe, default 60 s budget) on a small MLP (8 -> 16 -> 3, softmax) with 128
 * training examples of three Gaussian blobs: total seconds and seconds per probe. Target: the whole
 * preflight finishes in under a minute on 2 cores.
 */
import * as tf from '@tensorflow/tfjs';
import { preflight, prepareBackend } from '../src/tfjs/probes/preflight.js';

export async function benchPreflight(): Promise<Record<string, number>> {
  await prepareBackend();
  const n = 128;
  const labels = Array.from({ length: n }, (_v, i) => i % 3);
  const x = tf.tidy(() => tf.add(tf.gather(tf.randomNormal([3, 8], 0, 1.5, 'float32', 1), tf.tensor1d(labels, 'int32')), tf.randomNormal([n, 8], 0, 1, 'float32', 2)));
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat();
  const model = tf.sequential({
    name: 'bench_mlp',
    layers: [
      tf.layers.dense({ units: 16, activation: 'relu', inputShape: [8], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dropout({ rate: 0.2 }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  const t0 = performance.now();
  const result = await preflight(model, { x, y }, { training: { loss: 'categoricalCrossentropy', optimizer: 'adam', learningRate: 0.01, batchSize: 32 } });
  const total = (performance.now() - t0) / 1000;
  const figures: Record<string, number> = { totalSeconds: total, probes: Object.keys(result.runs[0]?.probeMs ?? {}).length, problems: result.problems.length };
  for (const [id, ms] of Object.entries(result.runs[0]?.probeMs ?? {})) figures[`${id}Seconds`] = ms / 1000;
  tf.dispose([x, y]);
  model.dispose();
  return figures;
}
