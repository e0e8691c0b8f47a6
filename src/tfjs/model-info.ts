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
  /**
   * Per variable: its tag name `<layer>/<weight>` (the layer variable's original name: TF.js appends
   * `_1`, `_2` ... to the variable's own name when several models reuse layer names) and its layer.
   */
  readonly names: ReadonlyMap<tf.Variable, { readonly param: string; readonly layer: string }>;
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

/** Recurrent layers: their `activation` is applied inside a gated cell, not to the layer's output. */
const RECURRENT = /RNN|LSTM|GRU|Recurrent|Bidirectional|TimeDistributed/;

function kindOf(layer: tf.layers.Layer): ActivationKind {
  const cls = layer.getClassName();
  if (cls === 'ReLU') return 'relu';
  if (RECURRENT.test(cls)) return 'other';
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
  const names = new Map<tf.Variable, { param: string; layer: string }>();
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls === 'InputLayer') continue;
    all.push({ layer, name: layer.name, kind: kindOf(layer), isOutput: outputs.has(layer) });
    for (const w of layer.weights) names.set(w.read() as tf.Variable, { param: w.originalName || w.name, layer: layer.name });
  }
  const weights = model.layers.flatMap((l) => l.weights.map((w) => w.read() as tf.Variable)); // layer by layer, input side first
  const info: ModelInfo = { measured: all.filter((l) => !PASS_THROUGH.has(l.layer.getClassName())), all, names, weights };
  cache.set(model, info);
  return info;
}

/**
 * The tag name of a variable: `<layer>/<weight>` for a model's weights, else the variable's name.
 * @example
 * paramName(info, v) // 'hidden1/kernel'
 */
export function paramName(info: ModelInfo | null, v: tf.Variable): string {
  return info?.names.get(v)?.param ?? v.name;
}

/**
 * The trainable variables of `model`, in layer order (input side first).
 * @example
 * trainableVariables(model).map((v) => v.name) // ['dense_Dense1/kernel', 'dense_Dense1/bias', ...]
 */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}
