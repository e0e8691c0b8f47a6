/**
 * One instrumented optimiser step, shared by `doctor.fit` (it replaces the compiled optimiser's
 * `minimize` while `fit` runs) and `doctor.trainStep`:
 *
 * - every step: gradients as `optimizer.minimize` computes them, the loss read back before the
 *   update is applied (so a non-finite loss can be localised on the weights that produced it, and
 *   training can stop with finite weights), then the update;
 * - sampled steps add: activation statistics from the same forward pass (layer taps), per-variable
 *   gradient and weight norms, strided samples for histograms, one read-back; after the update, the
 *   update norms (a second, small read-back).
 */
import * as tf from '@tensorflow/tfjs';
import { activationStats, activationTags, strided } from './layer-stats.js';
import type { Localisation } from './localise.js';
import { localiseNonFinite } from './localise.js';
import type { ModelInfo } from './model-info.js';
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
  try {
    const vars = varList ?? Object.values(tf.engine().registeredVariables).filter((v) => v.trainable);
    let value: tf.Scalar;
    if (rb) {
      for (const v of vars) before.push(tf.keep(tf.clone(v)));
      const layers = info?.measured ?? [];
      ({ value, grads } = withTaps(
        layers,
        (layer, y) => {
          rb.scalars(activationTags(layer), activationStats(layer, y));
          if (plan.histograms) rb.values(`activations/${layer.name}`, strided(y), y.size);
        },
        () => optimizer.computeGradients(lossFn, varList),
      ));
      const g = grads;
      tf.tidy(() => {
        rb.scalars(['loss'], tf.clone(value));
        const norms = vars.map((v) => (g[v.name] ? tf.norm(g[v.name] as tf.Tensor) : tf.scalar(NaN)));
        rb.scalars(vars.map((v) => `grad_norm/${v.name}`), tf.stack(norms));
        const weights = allWeights(vars, info);
        rb.scalars(weights.map((v) => `weight_norm/${v.name}`), tf.stack(weights.map((v) => tf.norm(v))));
        if (plan.histograms) {
          for (const v of weights) rb.values(`parameters/${v.name}`, strided(v), v.size);
          for (const v of vars) {
            const gv = g[v.name];
            if (gv) rb.values(`gradients/${v.name}`, strided(gv), gv.size);
          }
        }
      });
    } else {
      ({ value, grads } = optimizer.computeGradients(lossFn, varList));
    }
    const stats = rb ? rb.read() : null;
    const loss = stats ? (stats.scalars.find(([t]) => t === 'loss')?.[1] ?? NaN) : (value.dataSync()[0] as number);
    if (stats) stats.scalars.splice(stats.scalars.findIndex(([t]) => t === 'loss'), 1);
    const finite = Number.isFinite(loss);
    const localisation = !finite && plan.localise ? localiseNonFinite(lossFn, vars, info) : null;
    const applied = finite || !plan.skipNonFinite;
    if (applied) apply(optimizer, grads, varList);
    if (stats && applied) stats.scalars.push(...updateRatios(vars, before, stats));
    return { value, loss, localisation, stats, applied };
  } finally {
    rb?.dispose();
    tf.dispose(before);
    if (grads) tf.dispose(grads);
  }
}

/** The trained variables plus the model's other weights (frozen layers), in model order, then variables outside the model. */
function allWeights(vars: readonly tf.Variable[], info: ModelInfo | null): tf.Variable[] {
  if (!info) return [...vars];
  const inModel = new Set(info.weights);
  return [...info.weights.filter((w) => w.dtype === 'float32'), ...vars.filter((v) => !inModel.has(v))];
}

/** `update_ratio/<param>` = ||w_after - w_before|| / ||w_before|| (left out where ||w_before|| is 0). */
function updateRatios(vars: readonly tf.Variable[], before: readonly tf.Tensor[], stats: ReadValues): Array<[string, number]> {
  const t = tf.tidy(() => tf.stack(vars.map((v, i) => tf.norm(tf.sub(v, before[i] as tf.Tensor)))));
  const delta = t.dataSync();
  t.dispose();
  const weightNorm = new Map(stats.scalars);
  const out: Array<[string, number]> = [];
  vars.forEach((v, i) => {
    const w = weightNorm.get(`weight_norm/${v.name}`);
    if (w !== undefined && w !== 0) out.push([`update_ratio/${v.name}`, (delta[i] as number) / w]);
  });
  return out;
}
