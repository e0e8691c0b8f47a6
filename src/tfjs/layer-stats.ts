/**
 * The statistics of one sampled step, as tensor ops (no read-back here): activation summaries per
 * layer and strided samples for histograms. Thresholds are the ones the T5/T6 checks document.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerInfo } from './model-info.js';

/** Largest number of values a histogram is built from (a strided sample of bigger tensors). */
export const HISTOGRAM_SAMPLE = 16384;

/** sigmoid(3): a sigmoid output beyond [1 - this, this] has a pre-activation with |x| > 3. */
const SIGMOID_3 = 1 / (1 + Math.exp(-3));
/** tanh(3): a tanh output with |y| above this has |x| > 3 (local slope < 1% of the maximum). */
const TANH_3 = Math.tanh(3);
/** softsign(3) = 3/4: the same |x| > 3 tail for softsign (slope 1/16 of the maximum). */
const SOFTSIGN_3 = 0.75;

/** Tags of the activation statistics written for `info`, in the order {@link activationStats} returns them. */
export function activationTags(info: LayerInfo): string[] {
  const tags = ['act_mean', 'act_std', 'act_zero_frac'];
  if (saturates(info)) tags.push('act_sat_frac');
  if (info.kind === 'relu') tags.push('act_dead_frac');
  return tags.map((t) => `${t}/${info.name}`);
}

function saturates(info: LayerInfo): boolean {
  return !info.isOutput && (info.kind === 'sigmoid' || info.kind === 'tanh' || info.kind === 'softsign');
}

/**
 * Activation statistics of a layer output `y` as a 1-D tensor, matching {@link activationTags}:
 * mean, std, share of exact zeros, then (bounded hidden layers) the share of outputs whose
 * pre-activation is in the flat tail |x| > 3, then (ReLU layers) the share of units (last axis) that
 * are zero on every example of the batch.
 * @example
 * const v = activationStats(info, y); // [mean, std, zeroFrac, (satFrac), (deadFrac)]
 */
export function activationStats(info: LayerInfo, y: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(y);
    const parts: tf.Tensor[] = [mean, tf.sqrt(variance), tf.mean(tf.cast(tf.equal(y, 0), 'float32'))];
    if (saturates(info)) {
      const tail =
        info.kind === 'sigmoid'
          ? tf.logicalOr(tf.less(y, 1 - SIGMOID_3), tf.greater(y, SIGMOID_3))
          : tf.greater(tf.abs(y), info.kind === 'tanh' ? TANH_3 : SOFTSIGN_3);
      parts.push(tf.mean(tf.cast(tail, 'float32')));
    }
    if (info.kind === 'relu') {
      const units = y.shape[y.shape.length - 1] ?? 1;
      const perUnitMax = tf.max(tf.reshape(y, [-1, units]), 0);
      parts.push(tf.mean(tf.cast(tf.lessEqual(perUnitMax, 0), 'float32')));
    }
    return tf.stack(parts) as tf.Tensor1D;
  });
}

/**
 * At most {@link HISTOGRAM_SAMPLE} values of `t`, flattened, taking every k-th element (deterministic,
 * so unchanged weights give identical histograms). k shares no factor with the last dimension, so the
 * sample walks through every unit/column instead of hitting the same one again and again.
 * @example
 * const s = strided(kernel); // 1-D
 */
export function strided(t: tf.Tensor, cap = HISTOGRAM_SAMPLE): tf.Tensor1D {
  return tf.tidy(() => {
    const flat = tf.reshape(t, [-1]) as tf.Tensor1D;
    if (flat.size <= cap) return flat;
    const last = t.shape[t.shape.length - 1] ?? 1;
    let stride = Math.ceil(flat.size / cap);
    while (gcd(stride, last) !== 1) stride++;
    return tf.stridedSlice(flat, [0], [flat.size], [stride]) as tf.Tensor1D;
  });
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
