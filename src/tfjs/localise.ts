/**
 * T1 localisation: after a non-finite loss, run the same batch again layer by layer and name the
 * first layer whose weights or output are non-finite (in execution order, which is input side
 * first), else the loss itself, else the output-most variable whose gradient is (the backward pass
 * starts at the output: every variable below inherits a non-finite gradient from there).
 * Runs on the weights as they were before the step's update was applied.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelInfo } from './model-info.js';
import { paramName } from './model-info.js';
import { withTaps } from './tap.js';

/** Where the first non-finite value was found. */
export interface Localisation {
  /** `weights`/`output`: of `layer`; `loss`: every layer output was finite; `gradient`: of `param`; `unknown`: the re-run was finite. */
  readonly kind: 'weights' | 'output' | 'loss' | 'gradient' | 'unknown';
  readonly layer: string | null;
  readonly param: string | null;
  /** Layers checked in the re-run (0 without a model). */
  readonly layersChecked: number;
  /** Variables with a non-finite gradient (kind `gradient`). */
  readonly affected?: number;
  /** Kind `gradient`: weight-free layers right after `layer` (activations, custom ops) where it may equally have arisen. */
  readonly suspects?: readonly string[];
}

/**
 * Where non-finite gradients arose, from per-variable "all finite" flags (1 = finite), or null when
 * all are finite. The backward pass runs output side first, so the output-most variable with a
 * non-finite gradient is where it arose (every variable below inherits it); weight-free layers right
 * after its layer have no gradient of their own to show and are named as suspects.
 * @example
 * originOfGradients([0, 0, 1, 1], vars, info) // { kind: 'gradient', param: 'pre/bias', suspects: ['root'], ... }
 */
export function originOfGradients(flags: ArrayLike<number>, variables: readonly tf.Variable[], info: ModelInfo | null, layersChecked = 0): Localisation | null {
  let origin = -1;
  let affected = 0;
  for (let i = 0; i < variables.length; i++) {
    if (flags[i] !== 1) {
      origin = i;
      affected++;
    }
  }
  const v = variables[origin];
  if (!v) return null;
  const layer = info?.names.get(v)?.layer ?? null;
  const suspects: string[] = [];
  const at = info && layer !== null ? info.all.findIndex((l) => l.name === layer) : -1;
  for (let i = at + 1; at >= 0 && i < (info?.all.length ?? 0); i++) {
    const next = info?.all[i];
    if (!next || next.layer.trainableWeights.length > 0) break;
    suspects.push(next.name);
  }
  return { kind: 'gradient', layer, param: paramName(info, v), layersChecked, affected, suspects };
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
  const origin = originOfGradients(g, variables, info, names.length);
  if (origin) return origin;
  if (!lossFinite) return { kind: 'loss', layer: null, param: null, layersChecked: names.length };
  return { kind: 'unknown', layer: null, param: null, layersChecked: names.length };
}

function finiteNow(v: tf.Variable): boolean {
  const t = tf.tidy(() => allFinite(v));
  const ok = t.dataSync()[0] === 1;
  t.dispose();
  return ok;
}
