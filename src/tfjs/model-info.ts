/**
 * What the doctor needs to know about a model's layers, computed once per model: which layers to
 * measure, what their activation function is (for saturation and dead-unit statistics), which are
 * outputs, and which layer owns each variable.
 */
import type * as tf from '@tensorflow/tfjs';

/** How a layer's outputs are judged. */
export type ActivationKind = 'relu' | 'sigmoid' | 'tanh' | 'softsign' | 'linear' | 'other';

/** One measured layer. */
export interface LayerInfo {
  readonly layer: tf.layers.Layer;
  readonly name: string;
  readonly kind: ActivationKind;
  /** Produces a model output (T6/T7 judge hidden layers only). */
  readonly isOutput: boolean;
}

/** The measured layers of a model, input side first, and the owner layer of each variable. */
export interface ModelInfo {
  /** Layers whose outputs get activation statistics. */
  readonly measured: readonly LayerInfo[];
  /** Every non-input layer, for T1 localisation. */
  readonly all: readonly LayerInfo[];
  /** Variable name -> layer name. */
  readonly owner: ReadonlyMap<string, string>;
  /** Every weight of the model (trainable or not), input side first: frozen layers are measured too (T9). */
  readonly weights: readonly tf.Variable[];
}

/** Layers that only move values around: their outputs repeat the previous layer's statistics. */
const PASS_THROUGH = new Set([
  'InputLayer', 'Flatten', 'Reshape', 'Permute', 'RepeatVector', 'Dropout', 'SpatialDropout1D', 'SpatialDropout2D',
  'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'Masking', 'Cropping2D', 'ZeroPadding2D',
]);

const KINDS: Record<string, ActivationKind> = {
  relu: 'relu', relu6: 'relu', ReLU: 'relu',
  sigmoid: 'sigmoid', hardSigmoid: 'sigmoid', hard_sigmoid: 'sigmoid',
  tanh: 'tanh', softsign: 'softsign', linear: 'linear',
};

function kindOf(layer: tf.layers.Layer): ActivationKind {
  const cls = layer.getClassName();
  if (cls === 'ReLU') return 'relu';
  let activation: unknown;
  try {
    activation = (layer.getConfig() as { activation?: unknown }).activation;
  } catch {
    return 'other';
  }
  if (typeof activation !== 'string') return 'other';
  return KINDS[activation] ?? 'other';
}

const cache = new WeakMap<tf.LayersModel, ModelInfo>();

/**
 * The (cached) layer information of `model`.
 * @example
 * modelInfo(model).measured.map((l) => l.name) // ['dense_Dense1', 'dense_Dense2']
 */
export function modelInfo(model: tf.LayersModel): ModelInfo {
  const hit = cache.get(model);
  if (hit) return hit;
  const outputs = new Set(model.outputs.map((o) => o.sourceLayer));
  const all: LayerInfo[] = [];
  const owner = new Map<string, string>();
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls === 'InputLayer') continue;
    all.push({ layer, name: layer.name, kind: kindOf(layer), isOutput: outputs.has(layer) });
    for (const w of layer.weights) owner.set(w.name, layer.name);
  }
  const weights = model.weights.map((w) => w.read() as tf.Variable);
  const info: ModelInfo = { measured: all.filter((l) => !PASS_THROUGH.has(l.layer.getClassName())), all, owner, weights };
  cache.set(model, info);
  return info;
}

/**
 * The trainable variables of `model`, in layer order (input side first).
 * @example
 * trainableVariables(model).map((v) => v.name) // ['dense_Dense1/kernel', 'dense_Dense1/bias', ...]
 */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}
