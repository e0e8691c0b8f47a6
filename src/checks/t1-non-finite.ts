/**
 * T1 Non-finite values: the first step, and the first layer, where the loss, an activation, a weight
 * or a gradient turns NaN/Inf. Log mode reads the per-layer curves (`act_*`, `weight_norm`,
 * `grad_norm`, `update_ratio`, in logging order = input side first) and the loss curves; the live
 * TF.js doctor re-runs the offending batch layer by layer and reports what it found through
 * {@link t1LiveFinding}.
 */
import { firstNonFinite } from '../analysis/finite.js';
import type { Finding } from '../findings/finding.js';
import type { Curve } from '../telemetry/curves.js';
import type { LayerQuantity } from '../telemetry/layers.js';
import { layerCurves } from '../telemetry/layers.js';
import type { Check, CheckContext } from './check.js';
import { makeFinding } from './check.js';
import { minOf } from '../analysis/extremes.js';

/**
 * Which per-layer quantity names the origin when several turn non-finite at the same logged step:
 * a layer's output is computed before the gradients that flow back through it and before the update
 * that writes them into the weights, so activations come first, then weights, then gradients.
 */
const ORDER: ReadonlyArray<{ quantity: LayerQuantity; what: string }> = [
  { quantity: 'act_mean', what: 'output (activations)' },
  { quantity: 'act_std', what: 'output (activations)' },
  { quantity: 'act_zero_frac', what: 'output (activations)' },
  { quantity: 'act_sat_frac', what: 'output (activations)' },
  { quantity: 'act_dead_frac', what: 'output (activations)' },
  { quantity: 'weight_norm', what: 'weights' },
  { quantity: 'grad_norm', what: 'gradient' },
  { quantity: 'update_ratio', what: 'update' },
];

const ACTIONS = [
  'lower the learning rate (x0.1) and add gradient clipping (clipnorm=1.0)',
  "look in this layer for log/sqrt/division/exp of values that can reach 0, go negative or overflow (add an epsilon, clamp)",
  'check the inputs and targets for NaN/Inf (D1)',
];

interface Hit {
  readonly layer: string;
  readonly tag: string;
  readonly step: number;
  readonly rank: number;
  readonly what: string;
}

function judge(ctx: CheckContext): Finding[] {
  const hits: Hit[] = [];
  let curves = 0;
  let rank = 0;
  for (const { quantity, what } of ORDER) {
    const byLayer = layerCurves(ctx.run, quantity);
    for (const [layer, c] of byLayer) {
      curves++;
      const i = firstNonFinite(c.values);
      if (i >= 0) hits.push({ layer, tag: c.tag, step: c.steps[i] as number, rank, what });
      rank++;
    }
  }
  if (curves === 0) return []; // no per-layer telemetry: C6 reports a non-finite loss.
  const losses = [ctx.curves.trainLoss, ctx.curves.valLoss].filter((c): c is Curve => c !== null);
  const lossHits = losses.map((c) => ({ c, i: firstNonFinite(c.values) })).filter((h) => h.i >= 0);
  const lossStep = lossHits.length > 0 ? minOf(lossHits.map((h) => h.c.steps[h.i] as number)) : null;
  const lossTag = lossHits.find((h) => h.c.steps[h.i] === lossStep)?.c.tag ?? null;
  if (hits.length === 0) {
    if (lossStep === null) return [];
    return [
      makeFinding(t1NonFinite, {
        severity: 'error',
        message: `${lossTag} turns non-finite at step ${lossStep} while all ${curves} per-layer curves stay finite: the NaN/Inf arises in the loss itself (log(0), division by zero) or between the sampled steps.`,
        tags: lossTag ? [lossTag] : [],
        steps: [lossStep, lossStep],
        evidence: { step: lossStep, lossStep, curvesAffected: 0, perLayerCurves: curves },
        actions: ['add an epsilon to log/division in the loss, or use the from-logits form of the loss', ...ACTIONS],
      }),
    ];
  }
  const firstStep = minOf(hits.map((h) => h.step));
  const first = hits.filter((h) => h.step === firstStep).sort((a, b) => a.rank - b.rank)[0] as Hit;
  const step = lossStep === null ? firstStep : Math.min(firstStep, lossStep);
  const lossNote = lossStep === null ? '' : lossStep < firstStep ? `; ${lossTag} was already non-finite at step ${lossStep} (per-layer curves are sampled)` : `; ${lossTag} is non-finite from step ${lossStep}`;
  return [
    makeFinding(t1NonFinite, {
      severity: 'error',
      message: `First non-finite per-layer value at step ${firstStep}: the ${first.what} of layer ${first.layer} (${first.tag}, the first in input-side order)${lossNote}; ${hits.length} of ${curves} per-layer curves go non-finite.`,
      layer: first.layer,
      tags: [first.tag, ...(lossTag ? [lossTag] : [])],
      steps: [step, firstStep],
      evidence: { step, layerStep: firstStep, quantity: first.tag.slice(0, first.tag.length - first.layer.length - 1), lossStep, curvesAffected: hits.length, perLayerCurves: curves },
      actions: ACTIONS,
    }),
  ];
}

/** Where the live doctor found the first non-finite value (see `localiseNonFinite` in src/tfjs). */
export interface T1Location {
  readonly step: number;
  /** The non-finite loss value. */
  readonly loss: number;
  readonly kind: 'weights' | 'output' | 'loss' | 'gradient' | 'unknown' | 'not-localised';
  readonly layer: string | null;
  readonly param: string | null;
  readonly layersChecked: number;
  /** Variables with a non-finite gradient (kind `gradient`). */
  readonly affected?: number;
  /** Kind `gradient`: weight-free layers right after `layer` where the non-finite gradient may equally have arisen. */
  readonly suspects?: readonly string[];
}

/**
 * The T1 finding of a live localisation.
 * @example
 * t1LiveFinding({ step: 12, loss: NaN, kind: 'output', layer: 'overflow', param: null, layersChecked: 4 }).layer // 'overflow'
 */
export function t1LiveFinding(loc: T1Location): Finding {
  const head = Number.isFinite(loc.loss) ? `Gradients turn non-finite at step ${loc.step} while the loss is finite (${Number(loc.loss.toPrecision(4))})` : `Loss is ${loc.loss} at step ${loc.step}`;
  const where: Record<T1Location['kind'], string> = {
    output: `re-running the batch layer by layer, the first non-finite output is layer ${loc.layer}'s (its inputs and weights were finite; ${loc.layersChecked} layers checked)`,
    weights: `the weights of ${loc.layer ? `layer ${loc.layer}` : loc.param} were already non-finite: an earlier update wrote NaN/Inf into them`,
    loss: `every layer output is finite (${loc.layersChecked} layers checked): the loss function itself produced it (log(0), probabilities of exactly 0 or 1 in a cross-entropy, division by zero)`,
    gradient:
      `the backward pass first produces NaN/Inf at ${loc.param}${loc.layer ? ` (layer ${loc.layer})` : ''}, the output-most of ${loc.affected ?? 1} variable${loc.affected === 1 ? '' : 's'} with a non-finite gradient` +
      (loc.suspects && loc.suspects.length > 0 ? `, or in the weight-free layer${loc.suspects.length > 1 ? 's' : ''} right after it (${loc.suspects.join(', ')})` : '') +
      ' (look for sqrt/log/pow/division at 0 in the backward pass)',
    unknown: 'the batch re-ran finite (non-deterministic layers such as dropout, or a race in a custom op)',
    'not-localised': 'per-layer localisation needs doctor.fit() or doctor.trainStep() (fit callbacks never see the batch)',
  };
  return makeFinding(t1NonFinite, {
    severity: 'error',
    message: `${head}; ${where[loc.kind]}.`,
    layer: loc.layer,
    tags: loc.param ? [`grad_norm/${loc.param}`] : ['loss'],
    steps: [loc.step, loc.step],
    evidence: { step: loc.step, loss: Number.isFinite(loc.loss) ? loc.loss : String(loc.loss), origin: loc.kind, layer: loc.layer, param: loc.param, layersChecked: loc.layersChecked, ...(loc.affected !== undefined ? { variablesAffected: loc.affected } : {}), ...(loc.suspects && loc.suspects.length > 0 ? { suspects: loc.suspects.join(', ') } : {}) },
    actions: loc.kind === 'loss' ? ['add an epsilon to log/division in the loss, or use the from-logits form of the loss', ...ACTIONS] : ACTIONS,
  });
}

/**
 * T1 (log mode): error at the first step where a per-layer curve or the loss turns NaN/Inf, naming the
 * layer (activations before weights before gradients, input side first). Runs without per-layer
 * telemetry report nothing (C6 covers a non-finite loss).
 * @example
 * t1NonFinite.run({ run, curves: resolveCurves(run) })[0]?.layer // 'dense_2'
 */
export const t1NonFinite: Check = {
  id: 'T1',
  title: 'Non-finite values',
  severity: 'error',
  kind: 'live',
  description: 'First step and first layer where an activation, weight, gradient or the loss turns NaN/Inf (per-layer curves; live: the batch re-run layer by layer).',
  run: judge,
};
