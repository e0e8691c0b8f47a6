/**
 * The training config: everything a demo (or labelled-corpus) training run is made of, as plain data.
 * Faults are pure transforms of it; the builder (`build.ts`) and the data loader read it. No tfjs here.
 */

/** Where the examples come from. */
export type DatasetName = 'mnist';

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
}

/** Activations the builder knows. */
export type ActivationName = 'relu' | 'sigmoid' | 'tanh' | 'linear';

/** Initialisers the builder knows (all seeded from the config seed). */
export type InitializerName = 'glorotUniform' | 'heNormal' | 'zeros';

/** One dense hidden layer. */
export interface HiddenLayerConfig {
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

/** The model half of a config: an MLP on the flattened inputs. */
export interface ModelConfig {
  readonly hidden: readonly HiddenLayerConfig[];
  readonly output: OutputLayerConfig;
}

/** Optimisers the builder knows. */
export type OptimizerName = 'adam' | 'sgd';

/** The optimiser and its learning rate. */
export interface OptimizerConfig {
  readonly name: OptimizerName;
  readonly learningRate: number;
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
 * One line describing what a config trains, for headers and logs.
 * @example
 * describeConfig(healthyConfig()) // '784-32-32-10 MLP (relu) on 2,000 MNIST digits (500 for validation), 6 epochs of batch 32, adam at lr 1e-3, seed 1'
 */
export function describeConfig(config: TrainingConfig, features = 784, classes = 10): string {
  const sizes = [features, ...config.model.hidden.map((l) => l.units), classes].join('-');
  const acts = [...new Set(config.model.hidden.map((l) => l.activation))].join('/');
  const n = (x: number): string => x.toLocaleString('en-US');
  return (
    `${sizes} MLP${acts ? ` (${acts})` : ''} on ${n(config.data.train)} ${config.data.dataset.toUpperCase()} digits (${n(config.data.validation)} for validation), ` +
    `${config.epochs} epoch${config.epochs === 1 ? '' : 's'} of batch ${config.batchSize}, ${config.optimizer.name} at lr ${config.optimizer.learningRate.toExponential()}, seed ${config.seed}`
  );
}
