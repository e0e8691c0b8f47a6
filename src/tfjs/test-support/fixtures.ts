/**
 * Test support for the TF.js doctor (not shipped API): tiny seeded data sets and models, so every
 * training in the tests takes well under a second on a shared CPU.
 */
import * as tf from '@tensorflow/tfjs';
import { quietBackend } from '../backend.js';

quietBackend();

/** Features ~ N(0, 1) and a linear target `x·w` plus noise (scaled by `scale`, offset by `offset`). */
export function regressionData(n: number, features: number, seed: number, options: { scale?: number; offset?: number } = {}): { x: tf.Tensor2D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const x = tf.randomNormal([n, features], 0, 1, 'float32', seed) as tf.Tensor2D;
    const w = tf.randomNormal([features, 1], 0, 1, 'float32', seed + 1);
    const noise = tf.randomNormal([n, 1], 0, 0.1, 'float32', seed + 2);
    const y = tf.add(tf.mul(tf.add(tf.matMul(x, w), noise), options.scale ?? 1), options.offset ?? 0) as tf.Tensor2D;
    return { x, y };
  });
}

/** Gaussian blobs: `classes` centres, one-hot labels. */
export function blobData(n: number, features: number, classes: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const labels = tf.tensor1d(Array.from({ length: n }, (_, i) => i % classes), 'int32');
    const centres = tf.randomNormal([classes, features], 0, 2, 'float32', seed);
    const x = tf.add(tf.gather(centres, labels), tf.randomNormal([n, features], 0, 1, 'float32', seed + 1)) as tf.Tensor2D;
    return { x, y: tf.oneHot(labels, classes).toFloat() as tf.Tensor2D };
  });
}

/** A dense-layer initialiser (`tf.initializers.*` or its name). */
export type Init = NonNullable<Parameters<typeof tf.layers.dense>[0]['kernelInitializer']>;

/** Options of {@link mlp}. */
export interface MlpOptions {
  readonly features: number;
  readonly hidden: readonly number[];
  readonly outputs?: number;
  readonly activation?: 'relu' | 'sigmoid' | 'tanh';
  readonly outputActivation?: 'linear' | 'softmax';
  readonly optimizer?: tf.Optimizer;
  readonly loss?: string;
  readonly metrics?: string[];
  /** Kernel initialiser of the hidden layers (default He normal for ReLU, Glorot otherwise). */
  readonly kernelInitializer?: (layer: number) => Init;
  readonly biasInitializer?: (layer: number) => Init;
  readonly seed?: number;
}

/** A compiled MLP; hidden layers are named `hidden1`, `hidden2`, ... and the output `out` (no hidden layers: a linear model). */
export function mlp(o: MlpOptions): tf.Sequential {
  const model = tf.sequential();
  const activation = o.activation ?? 'relu';
  o.hidden.forEach((units, i) => {
    const seed = (o.seed ?? 1) * 100 + i;
    const kernelInitializer = o.kernelInitializer?.(i) ?? (activation === 'relu' ? tf.initializers.heNormal({ seed }) : tf.initializers.glorotNormal({ seed }));
    model.add(
      tf.layers.dense({
        units,
        activation,
        name: `hidden${i + 1}`,
        kernelInitializer,
        ...(o.biasInitializer ? { biasInitializer: o.biasInitializer(i) } : {}),
        ...(i === 0 ? { inputShape: [o.features] } : {}),
      }),
    );
  });
  model.add(
    tf.layers.dense({
      units: o.outputs ?? 1,
      activation: o.outputActivation ?? 'linear',
      name: 'out',
      kernelInitializer: tf.initializers.glorotNormal({ seed: (o.seed ?? 1) * 100 + 99 }),
      ...(o.hidden.length === 0 ? { inputShape: [o.features] } : {}),
    }),
  );
  model.compile({ optimizer: o.optimizer ?? tf.train.adam(1e-2), loss: o.loss ?? 'meanSquaredError', metrics: o.metrics ?? [] });
  return model;
}

/** Disposes a model, its optimizer and tensors. */
export function disposeAll(model: tf.LayersModel | null, ...tensors: tf.Tensor[]): void {
  model?.optimizer?.dispose();
  model?.dispose();
  tf.dispose(tensors);
}
