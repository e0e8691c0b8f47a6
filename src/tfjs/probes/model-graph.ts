/**
 * Static inspection of a TF.js LayersModel graph: which activation each layer applies, what feeds a
 * layer, and what happens between the last weighted layer and each model output (M1, M2, M4, M5).
 */
import type * as tf from '@tensorflow/tfjs';

type Layer = tf.layers.Layer;

/** Layers that pass values through without changing what they mean (shape or noise only). */
const TRANSPARENT = new Set([
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'Flatten',
  'Reshape',
  'Permute',
  'Masking',
  'RepeatVector',
  'ActivityRegularization',
]);

/** Layers whose whole job is an activation function. */
const ACTIVATION_LAYERS: Record<string, string> = {
  ReLU: 'relu',
  LeakyReLU: 'leakyrelu',
  PReLU: 'prelu',
  ELU: 'elu',
  ThresholdedReLU: 'thresholdedrelu',
  Softmax: 'softmax',
};

/**
 * An activation name normalised to lower-case letters and digits (`hard_sigmoid` -> `hardsigmoid`).
 * @example
 * normaliseActivation('logSoftmax') // 'logsoftmax'
 */
export const normaliseActivation = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The activation `layer` applies to its output: the `activation` of Dense/Conv/RNN/Activation
 * layers, the function of ReLU/Softmax/... layers; `null` for layers without one (pooling, merge,
 * normalisation, dropout...). Names are normalised (`relu`, `softmax`, `linear`, `hardsigmoid`).
 * @example
 * activationOf(tf.layers.dense({ units: 3, activation: 'relu' })) // 'relu'
 */
export function activationOf(layer: Layer): string | null {
  const cls = layer.getClassName();
  const fixed = ACTIVATION_LAYERS[cls];
  if (fixed) return fixed;
  let activation: unknown;
  try {
    activation = layer.getConfig()['activation'];
  } catch {
    return null;
  }
  return typeof activation === 'string' ? normaliseActivation(activation) : null;
}

/** Whether `layer` only reshapes or adds noise (its output means what its input meant). */
export const isTransparent = (layer: Layer): boolean => TRANSPARENT.has(layer.getClassName());

/** Whether `layer` is an activation-only layer (Activation, ReLU, Softmax...). */
export const isActivationLayer = (layer: Layer): boolean => layer.getClassName() === 'Activation' || layer.getClassName() in ACTIVATION_LAYERS;

/**
 * The layers feeding `layer` (its first call), in input order.
 * @example
 * inboundLayers(model.layers[2]).map((l) => l.name)
 */
export function inboundLayers(layer: Layer): Layer[] {
  const node = layer.inboundNodes[0];
  return node ? [...node.inboundLayers] : [];
}

/** Follows single-input transparent layers back from `layer` to the first one that is not transparent. */
export function skipTransparentBack(layer: Layer): Layer {
  let current = layer;
  for (;;) {
    if (!isTransparent(current)) return current;
    const ins = inboundLayers(current);
    if (ins.length !== 1) return current;
    current = ins[0] as Layer;
  }
}

/** One activation on the way from an output back to the last weighted layer. */
export interface AppliedActivation {
  readonly layer: string;
  readonly className: string;
  readonly activation: string;
}

/** What a model output is made of, read from the graph. */
export interface OutputHead {
  /** The layer producing the output tensor. */
  readonly outputLayer: Layer;
  /** Activations applied, from the output backwards (linear ones omitted), down to and including the producer's own. */
  readonly activations: readonly AppliedActivation[];
  /** The activation of the output (`linear` when none). */
  readonly finalActivation: string;
  /** The last layer before the output that is neither transparent nor activation-only (the one with the output weights), or null. */
  readonly producer: Layer | null;
}

/**
 * Reads output `index` of `model` from the graph.
 * @example
 * outputHead(model).finalActivation // 'softmax'
 */
export function outputHead(model: tf.LayersModel, index = 0): OutputHead {
  const source = (model.outputs[index] as tf.SymbolicTensor).sourceLayer as Layer;
  const activations: AppliedActivation[] = [];
  let current: Layer | undefined = source;
  let producer: Layer | null = null;
  while (current) {
    const act = activationOf(current);
    if (act !== null && act !== 'linear') activations.push({ layer: current.name, className: current.getClassName(), activation: act });
    if (isTransparent(current) || isActivationLayer(current)) {
      const ins = inboundLayers(current);
      current = ins.length === 1 ? ins[0] : undefined;
      continue;
    }
    producer = current.getClassName() === 'InputLayer' ? null : current;
    break;
  }
  return { outputLayer: source, activations, finalActivation: activations[0]?.activation ?? 'linear', producer };
}

/** A softmax applied as its own layer, with the activation of what feeds it. */
export interface SoftmaxSite {
  /** The Activation/Softmax layer. */
  readonly layer: Layer;
  /** The layer feeding it (transparent layers skipped). */
  readonly feeder: Layer;
  /** The activation the feeder applies last (`linear` when none), or null when it has no activation notion. */
  readonly feederActivation: string | null;
}

/**
 * Every softmax applied by a separate layer (`tf.layers.activation({activation: 'softmax'})`,
 * `tf.layers.softmax()`), with what feeds it. A Dense with `activation: 'softmax'` applies softmax to
 * its own linear output and is not listed.
 * @example
 * softmaxSites(model).filter((s) => s.feederActivation === 'relu')
 */
export function softmaxSites(model: tf.LayersModel): SoftmaxSite[] {
  const sites: SoftmaxSite[] = [];
  for (const layer of model.layers) {
    if (!isActivationLayer(layer) || activationOf(layer) !== 'softmax') continue;
    const ins = inboundLayers(layer);
    if (ins.length !== 1) continue;
    const feeder = skipTransparentBack(ins[0] as Layer);
    sites.push({ layer, feeder, feederActivation: activationOf(feeder) });
  }
  return sites;
}
