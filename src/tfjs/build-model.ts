/**
 * Builds and compiles the TF.js model (MLP, small CNN or small RNN) a training config describes. Every fault that needs "model
 * surgery" (ReLU before softmax, frozen layers, zero init, a loss without epsilon, dropout) is a
 * config field read here. Layer names are stable (`hidden1`..`hiddenN`, `dropout1`.., `output`, then
 * `softmax` or `normalise` when the output scores have their own activation) so per-layer telemetry
 * tags are the same from run to run.
 */
import * as tf from '@tensorflow/tfjs';
import type { ActivationName, InitializerName, LossName, OptimizerConfig, TrainingConfig } from '../faults/config.js';
import { deriveSeed } from '../random/seeded.js';

/**
 * Dropout with a different seeded mask at every training call: tfjs' own `Dropout` with a `seed`
 * draws the same mask at every step, and without one it uses `Math.random` (not reproducible).
 * Its class name is `Dropout` (it is one: the doctor treats it as a pass-through layer, as it does
 * tfjs' own); it is deliberately not registered for serialisation, so a saved or cloned model gets
 * tfjs' standard `Dropout` at the same rate.
 */
class SeededDropout extends tf.layers.Layer {
  static readonly className = 'Dropout';
  readonly rate: number;
  readonly seed: number;
  #calls = 0;

  constructor(config: { rate: number; seed: number; name: string }) {
    super({ name: config.name });
    this.rate = config.rate;
    this.seed = config.seed;
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
    if (kwargs['training'] !== true || this.rate <= 0) return tf.clone(x);
    const seed = deriveSeed(this.seed, this.#calls++);
    return tf.tidy(() => tf.dropout(x, this.rate, undefined, seed));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}

/** Divides the scores by their sum over the classes: "probabilities" without a softmax. */
class SumNormalise extends tf.layers.Layer {
  static readonly className = 'NndoctorSumNormalise';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
    return tf.tidy(() => tf.div(x, tf.sum(x, -1, true)));
  }
}

function initializer(name: InitializerName, seed: number): ReturnType<typeof tf.initializers.zeros> {
  if (name === 'zeros') return tf.initializers.zeros();
  if (name === 'heNormal') return tf.initializers.heNormal({ seed });
  return tf.initializers.glorotUniform({ seed });
}

const activation = (name: ActivationName): 'relu' | 'sigmoid' | 'tanh' | 'linear' => name;

/**
 * The hand-written cross-entropy of the `log-zero-nan` fault: `-mean(sum(y * log(p)))`, no epsilon.
 * @example
 * unsafeCrossentropy(tf.tensor2d([[0, 1]]), tf.tensor2d([[0, 1]])) // NaN: 0 * log(0)
 */
export function unsafeCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(yTrue, tf.log(yPred)), -1))) as tf.Scalar);
}

function loss(name: LossName): string | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor) {
  return name === 'unsafe-crossentropy' ? unsafeCrossentropy : 'categoricalCrossentropy';
}

/**
 * The optimiser a config names, at its learning rate.
 * @example
 * buildOptimizer({ name: 'adam', learningRate: 1e-3 })
 */
export function buildOptimizer(config: OptimizerConfig): tf.Optimizer {
  return config.name === 'sgd' ? tf.train.sgd(config.learningRate) : tf.train.adam(config.learningRate);
}

/** Side of the square images that conv/recurrent layers see (the flat inputs reshaped). */
function imageSide(features: number): number {
  const side = Math.round(Math.sqrt(features));
  if (side * side !== features) throw new RangeError(`buildModel: conv/rnn layers need square images, got ${features} features`);
  return side;
}

/**
 * Builds and compiles the model of `config` for `features` inputs and `classes` outputs (softmax),
 * with seeded initialisers and dropout. Dense layers are `hidden1..N`; conv layers `conv1..`,
 * recurrent ones `rnn1..`, after a `reshape` of the flat pixels to the image
 * and before a `flatten` (conv). Metrics: accuracy (logged by tfjs as `acc`/`val_acc`).
 * @example
 * const model = buildModel(healthyConfig(), 784, 10);
 * model.layers.map((l) => l.name) // ['hidden1', 'hidden2', 'output']
 */
export function buildModel(config: TrainingConfig, features: number, classes: number): tf.LayersModel {
  tf.serialization.registerClass(SumNormalise);
  const model = tf.sequential();
  const layers = config.model.hidden;
  const first = layers[0]?.kind ?? 'dense';
  if (first !== 'dense') {
    const side = imageSide(features);
    model.add(tf.layers.reshape({ name: 'reshape', inputShape: [features], targetShape: first === 'conv' ? [side, side, 1] : [side, side] }));
  }
  let stream = 0;
  const counts = { dense: 0, conv: 0, rnn: 0 };
  layers.forEach((layer, i) => {
    const kind = layer.kind ?? 'dense';
    const next = layers[i + 1]?.kind ?? 'dense';
    const n = ++counts[kind];
    const common = {
      ...(i === 0 && kind === 'dense' ? { inputShape: [features] } : {}),
      activation: activation(layer.activation),
      kernelInitializer: initializer(layer.kernelInitializer, deriveSeed(config.seed, stream++)),
      biasInitializer: 'zeros' as const,
      trainable: layer.trainable,
    };
    if (kind === 'conv') {
      if (layers.slice(0, i).some((l) => (l.kind ?? 'dense') !== 'conv')) throw new RangeError('buildModel: conv layers must come first');
      model.add(tf.layers.conv2d({ name: `conv${n}`, filters: layer.units, kernelSize: 3, strides: 2, padding: 'same', ...common }));
      if (next !== 'conv') model.add(tf.layers.flatten({ name: 'flatten' }));
    } else if (kind === 'rnn') {
      if (layers.slice(0, i).some((l) => (l.kind ?? 'dense') !== 'rnn')) throw new RangeError('buildModel: rnn layers must come first');
      const recurrentInitializer = layer.kernelInitializer === 'zeros' ? tf.initializers.zeros() : tf.initializers.orthogonal({ seed: deriveSeed(config.seed, 500 + i) });
      model.add(tf.layers.simpleRNN({ name: `rnn${n}`, units: layer.units, returnSequences: next === 'rnn', recurrentInitializer, ...common }));
    } else {
      model.add(tf.layers.dense({ name: `hidden${n}`, units: layer.units, ...common }));
    }
    if (layer.dropout > 0) model.add(new SeededDropout({ name: `dropout${i + 1}`, rate: layer.dropout, seed: deriveSeed(config.seed, 1000 + i) }));
  });
  const out = config.model.output;
  const softmax = out.probabilities === 'softmax';
  const fused = softmax && out.scores === 'linear';
  model.add(
    tf.layers.dense({
      name: 'output',
      ...(layers.length === 0 ? { inputShape: [features] } : {}),
      units: classes,
      activation: fused ? 'softmax' : activation(out.scores),
      kernelInitializer: initializer(out.kernelInitializer, deriveSeed(config.seed, stream++)),
      biasInitializer: 'zeros',
      trainable: out.trainable,
    }),
  );
  if (softmax && !fused) model.add(tf.layers.activation({ name: 'softmax', activation: 'softmax' }));
  if (!softmax) model.add(new SumNormalise({ name: 'normalise' }));
  model.compile({ optimizer: buildOptimizer(config.optimizer), loss: loss(config.loss), metrics: ['accuracy'] });
  return model;
}
