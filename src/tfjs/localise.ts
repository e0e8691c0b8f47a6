/**
 * T1 localisation: after a non-finite loss, run the same batch again layer by layer and name the
 * first layer whose weights or output are non-finite (in execution order, which is input side
 * first), else the loss itself, else the first variable (input side first) whose gradient is.
 * Runs on the weights as they were before the step's update was applied.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelInfo } from './model-info.js';
import { withTaps } from './tap.js';

/** Where the first non-finite value was found. */
export interface Localisation {
  /** `weights`/`output`: of `layer`; `loss`: every layer output was finite; `gradient`: of `param`; `unknown`: the re-run was finite. */
  readonly kind: 'weights' | 'output' | 'loss' | 'gradient' | 'unknown';
  readonly layer: string | null;
  readonly param: string | null;
  /** Layers checked in the re-run (0 without a model). */
  readonly layersChecked: number;
}

const allFinite = (t: tf.Tensor): tf.Tensor => tf.cast(tf.all(tf.isFinite(t)), 'float32');

/**
 * Re-runs `lossFn` (one batch) with every layer of `info` tapped, then its gradients if needed.
 * @example
 * const where = localiseNonFinite(() => lossOf(batch), variables, modelInfo(model));
 * where.layer // 'overflow'
 */
export function localiseNonFinite(lossFn: () => tf.Scalar, variables: readonly tf.Variable[], info: ModelInfo | null): Localisation {
  const names: string[] = [];
  const flags = tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    const loss = withTaps(
      info?.all ?? [],
      (layer, y) => {
        const weights = layer.layer.weights.map((w) => allFinite(w.read()));
        names.push(layer.name);
        parts.push(tf.keep(weights.length > 0 ? tf.min(tf.stack(weights)) : tf.scalar(1)), tf.keep(allFinite(y)));
      },
      lossFn,
    );
    parts.push(allFinite(loss));
    const out = tf.stack(parts);
    tf.dispose(parts);
    return out;
  });
  const f = flags.dataSync();
  flags.dispose();
  for (let i = 0; i < names.length; i++) {
    const layer = names[i] as string;
    if (f[2 * i] !== 1) return { kind: 'weights', layer, param: null, layersChecked: names.length };
    if (f[2 * i + 1] !== 1) return { kind: 'output', layer, param: null, layersChecked: names.length };
  }
  const lossFinite = f[2 * names.length] === 1;
  if (!info) {
    const bad = variables.findIndex((v) => !finiteNow(v));
    if (bad >= 0) {
      const param = (variables[bad] as tf.Variable).name;
      return { kind: 'weights', layer: null, param, layersChecked: 0 };
    }
  }
  if (!lossFinite && info) return { kind: 'loss', layer: null, param: null, layersChecked: names.length };
  const gradFlags = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(lossFn, variables.length > 0 ? [...variables] : undefined);
    value.dispose();
    return tf.stack(variables.map((v) => (grads[v.name] ? allFinite(grads[v.name] as tf.Tensor) : tf.scalar(1))));
  });
  const g = gradFlags.dataSync();
  gradFlags.dispose();
  const bad = variables.findIndex((_, i) => g[i] !== 1);
  if (bad >= 0) {
    const param = (variables[bad] as tf.Variable).name;
    return { kind: 'gradient', layer: info?.owner.get(param) ?? null, param, layersChecked: names.length };
  }
  if (!lossFinite) return { kind: 'loss', layer: null, param: null, layersChecked: names.length };
  return { kind: 'unknown', layer: null, param: null, layersChecked: names.length };
}

function finiteNow(v: tf.Variable): boolean {
  const t = tf.tidy(() => allFinite(v));
  const ok = t.dataSync()[0] === 1;
  t.dispose();
  return ok;
}
