/**
 * One instrumented optimiser step, shared by `doctor.fit` (it replaces the compiled optimiser's
 * `minimize` while `fit` runs) and `doctor.trainStep`:
 *
 * - every step: gradients as `optimizer.minimize` computes them; one number read back before the update
 *   is applied, `loss + 0 * sum(gradients)`, which is the loss unless the loss or any gradient element is
 *   NaN/Inf (so a non-finite value is caught on the step it appears, localised on the weights that
 *   produced it, and training can stop with finite weights); then the update;
 * - sampled steps add: activation statistics from the same forward pass (layer taps), per-variable
 *   gradient and weight norms, strided samples for histograms, one read-back; after the update, the
 *   update norms (a second, small read-back).
 */
import * as tf from '@tensorflow/tfjs';
import { activationStats, activationTags, strided } from './layer-stats.js';
import type { Localisation } from './localise.js';
import { localiseNonFinite, originOfGradients } from './localise.js';
import type { ModelInfo } from './model-info.js';
import { paramName } from './model-info.js';
import type { ReadValues } from './readback.js';
import { Readback } from './readback.js';
import { withTaps } from './tap.js';

/** What to do on this step. */
export interface StepPlan {
  /** Record per-layer statistics. */
  readonly sampled: boolean;
  /** Also record histograms (only on sampled steps). */
  readonly histograms: boolean;
  /** Localise a non-finite loss (only the first one is worth it). */
  readonly localise: boolean;
  /** Skip the update when the loss is non-finite (training is about to stop). */
  readonly skipNonFinite: boolean;
}

/** The outcome of a step. */
export interface StepOutcome {
  /** The loss tensor (caller owns it). */
  readonly value: tf.Scalar;
  readonly loss: number;
  /** False when the loss is finite but some gradient element is not. */
  readonly gradientsFinite: boolean;
  /** Where the first non-finite value arose (when `plan.localise` and the loss or a gradient is non-finite). */
  readonly localisation: Localisation | null;
  /** Sampled statistics (tags without step), or null. */
  readonly stats: ReadValues | null;
  /** Whether the update was applied. */
  readonly applied: boolean;
}

function apply(optimizer: tf.Optimizer, grads: tf.NamedTensorMap, varList: readonly tf.Variable[] | undefined): void {
  if (varList) optimizer.applyGradients(varList.map((v) => ({ name: v.name, tensor: grads[v.name] as tf.Tensor })));
  else optimizer.applyGradients(grads);
}

/**
 * Runs one step of `optimizer` on `lossFn` over `varList` (default: every trainable variable).
 * @example
 * const out = instrumentedStep(opt, () => loss(batch), vars, modelInfo(model), plan);
 * out.value.dispose();
 */
export function instrumentedStep(
  optimizer: tf.Optimizer,
  lossFn: () => tf.Scalar,
  varList: tf.Variable[] | undefined,
  info: ModelInfo | null,
  plan: StepPlan,
): StepOutcome {
  const rb = plan.sampled ? new Readback() : null;
  const before: tf.Tensor[] = [];
  let grads: tf.NamedTensorMap | null = null;
  let value: tf.Scalar | null = null;
  try {
    const vars = varList ?? Object.values(tf.engine().registeredVariables).filter((v) => v.trainable);
    if (rb) {
      for (const v of vars) before.push(tf.keep(tf.clone(v)));
      ({ value, grads } = withTaps(
        info?.measured ?? [],
        (layer, y) => {
          rb.scalars(activationTags(layer), activationStats(layer, y));
          if (plan.histograms) rb.values(`activations/${layer.name}`, strided(y), y.size);
        },
        () => optimizer.computeGradients(lossFn, varList),
      ));
      queueStats(rb, value, grads, vars, info, plan.histograms);
    } else {
      ({ value, grads } = optimizer.computeGradients(lossFn, varList));
    }
    // One number per step: the loss, turned NaN/Inf by any non-finite gradient element.
    let guard: number;
    let stats: ReadValues | null = null;
    if (rb) {
      stats = rb.read();
      const at = stats.scalars.findIndex(([t]) => t === GUARD);
      guard = stats.scalars[at]?.[1] ?? NaN;
      stats.scalars.splice(at, 1);
    } else {
      const g = guardOf(value, grads);
      guard = g.dataSync()[0] as number;
      g.dispose();
    }
    const loss = Number.isFinite(guard) ? guard : (value.dataSync()[0] as number);
    let localisation: Localisation | null = null;
    if (!Number.isFinite(guard) && plan.localise) {
      localisation = Number.isFinite(loss) ? gradientOrigin(grads, vars, info) : localiseNonFinite(lossFn, vars, info);
    }
    const applied = Number.isFinite(guard) || !plan.skipNonFinite;
    if (applied) apply(optimizer, grads, varList);
    if (stats && applied) stats.scalars.push(...updateRatios(vars, before, stats, info));
    return { value, loss, gradientsFinite: Number.isFinite(guard) || !Number.isFinite(loss), localisation, stats, applied };
  } catch (cause) {
    value?.dispose();
    throw cause;
  } finally {
    rb?.dispose();
    tf.dispose(before);
    if (grads) tf.dispose(grads);
  }
}

const GUARD = '__guard';

/** `loss + 0 * sum(all gradient elements)`: equals the loss unless some gradient element is NaN/Inf. */
function guardOf(value: tf.Scalar, grads: tf.NamedTensorMap): tf.Scalar {
  return tf.tidy(() => {
    const sums = Object.values(grads).map((g) => tf.sum(g));
    return sums.length === 0 ? tf.clone(value) : tf.add(value, tf.mul(0, sums.length === 1 ? (sums[0] as tf.Tensor) : tf.addN(sums)));
  });
}

/** Queues the sampled statistics of the step: guard, gradient and weight norms, histogram samples. */
function queueStats(rb: Readback, value: tf.Scalar, g: tf.NamedTensorMap, vars: readonly tf.Variable[], info: ModelInfo | null, histograms: boolean): void {
  const name = (v: tf.Variable): string => paramName(info, v);
  tf.tidy(() => {
    rb.scalars([GUARD], guardOf(value, g));
    const norms = vars.map((v) => (g[v.name] ? tf.norm(g[v.name] as tf.Tensor) : tf.scalar(NaN)));
    rb.scalars(vars.map((v) => `grad_norm/${name(v)}`), tf.stack(norms));
    const weights = allWeights(vars, info);
    rb.scalars(weights.map((v) => `weight_norm/${name(v)}`), tf.stack(weights.map((v) => tf.norm(v))));
    if (histograms) {
      for (const v of weights) rb.values(`parameters/${name(v)}`, strided(v), v.size);
      for (const v of vars) {
        const gv = g[v.name];
        if (gv) rb.values(`gradients/${name(v)}`, strided(gv), gv.size);
      }
    }
  });
}

/** The loss is finite but a gradient is not: which variable's gradient turned non-finite first. */
function gradientOrigin(grads: tf.NamedTensorMap, vars: readonly tf.Variable[], info: ModelInfo | null): Localisation {
  const t = tf.tidy(() => tf.stack(vars.map((v) => (grads[v.name] ? tf.cast(tf.all(tf.isFinite(grads[v.name] as tf.Tensor)), 'float32') : tf.scalar(1)))));
  const flags = t.dataSync();
  t.dispose();
  return originOfGradients(flags, vars, info) ?? { kind: 'unknown', layer: null, param: null, layersChecked: 0 };
}

/** The trained variables plus the model's other weights (frozen layers), in model order, then variables outside the model. */
function allWeights(vars: readonly tf.Variable[], info: ModelInfo | null): tf.Variable[] {
  if (!info) return [...vars];
  const inModel = new Set(info.weights);
  return [...info.weights.filter((w) => w.dtype === 'float32'), ...vars.filter((v) => !inModel.has(v))];
}

/** `update_ratio/<param>` = ||w_after - w_before|| / ||w_before|| (left out where ||w_before|| is 0). */
function updateRatios(vars: readonly tf.Variable[], before: readonly tf.Tensor[], stats: ReadValues, info: ModelInfo | null): Array<[string, number]> {
  const t = tf.tidy(() => tf.stack(vars.map((v, i) => tf.norm(tf.sub(v, before[i] as tf.Tensor)))));
  const delta = t.dataSync();
  t.dispose();
  const weightNorm = new Map(stats.scalars);
  const out: Array<[string, number]> = [];
  vars.forEach((v, i) => {
    const name = paramName(info, v);
    const w = weightNorm.get(`weight_norm/${name}`);
    if (w !== undefined && w !== 0) out.push([`update_ratio/${name}`, (delta[i] as number) / w]);
  });
  return out;
}
