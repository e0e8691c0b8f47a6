/**
 * Clones a TF.js LayersModel (topology and current weights) so probes can train and perturb the clone
 * and never the user's model, and compiles a model for a {@link TrainingSpec}.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainingSpec } from './probe.js';

/**
 * A deep copy of `model`: same architecture, same weight values, independent variables. Custom layer
 * classes must be registered with `tf.serialization.registerClass` (as for saving/loading any model).
 * @example
 * const copy = await cloneModel(model);
 * compileFor(copy, spec); await copy.fit(x, y); // `model` is untouched
 */
export async function cloneModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (artifacts === null) throw new Error('cloneModel: the model could not be serialised');
  const clone = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  clone.trainable = model.trainable;
  model.layers.forEach((layer, i) => {
    const c = clone.layers[i];
    if (c) c.trainable = layer.trainable;
  });
  return clone;
}

/**
 * A fresh optimizer for `spec`.
 * @example
 * const opt = makeOptimizer({ optimizer: 'adam', learningRate: 1e-3, loss: 'meanSquaredError', batchSize: 32 });
 */
export function makeOptimizer(spec: Pick<TrainingSpec, 'optimizer' | 'learningRate'>): tf.Optimizer {
  switch (spec.optimizer) {
    case 'sgd':
      return tf.train.sgd(spec.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(spec.learningRate);
    case 'adagrad':
      return tf.train.adagrad(spec.learningRate);
    case 'adadelta':
      return tf.train.adadelta(spec.learningRate);
    case 'adamax':
      return tf.train.adamax(spec.learningRate);
    default:
      return tf.train.adam(spec.learningRate);
  }
}

/**
 * Compiles `model` for `spec` with a fresh optimizer.
 * @example
 * compileFor(clone, spec);
 */
export function compileFor(model: tf.LayersModel, spec: TrainingSpec): void {
  model.compile({ optimizer: makeOptimizer(spec), loss: spec.loss, metrics: spec.metrics ? [...spec.metrics] : [] });
}
