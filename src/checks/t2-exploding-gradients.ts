/**
 * T2 Exploding gradients (log mode): gradient norms that turn non-finite, grow by orders of magnitude
 * and stay there, or dwarf the weights they update. Reads the run-level `grad_norm` curve (Hugging Face,
 * Lightning) and per-layer `grad_norm/<layer>` scalars or `gradients/<layer>` histograms.
 */
import { firstNonFinite } from '../analysis/finite.js';
import { logGrowth } from '../analysis/growth.js';
import { binnedMeans } from '../analysis/resample.js';
import { median } from '../analysis/robust.js';
import type { Finding, Severity } from '../findings/finding.js';
import type { Curve } from '../telemetry/curves.js';
import { layerCurves } from '../telemetry/layers.js';
import type { Check, CheckContext } from './check.js';
import { makeFinding } from './check.js';

/** Growth from the low point to the end level, in decades: warning (if still rising) / error. */
const GROWTH_WARN_DECADES = 1;
const GROWTH_ERROR_DECADES = 2;
/**
 * Growth must also take the norm above where it started (end / first >= 10x): a norm that dipped and
 * recovers (a vanishing start that heals, a quiet stretch) is not exploding.
 */
const MIN_OVER_RUN = 10;
/**
 * ...and end at a norm that is large in absolute terms: growing from 1e-6 to 4e-3 is a network waking up
 * from vanishing gradients (T3), not an explosion. Non-finite norms and norms far above the weights
 * are judged separately.
 */
const MIN_EXPLODED_NORM = 1;
/** "Still rising": the end level is at least this many decades above the level at 2/3 of the run. */
const STILL_RISING_DECADES = 0.1;
/** Gradient norm / weight norm (median over the last half of the run) for a warning. */
const GRAD_TO_WEIGHT_MAX = 100;
/** Weight norms below this are not divided by (zero-initialised biases). */
const MIN_WEIGHT_NORM = 1e-6;
/** Parameter names whose gradient/weight ratio says little (zero-initialised or tiny vectors). */
const RATIO_SKIP = /bias|norm|(^|[._/])(bn|ln)\d*([._/]|$)/i;

const round = (x: number): number => Number(x.toPrecision(3));

interface Grad {
  readonly layer: string | null;
  readonly curve: Curve;
}
const label = (g: Grad): string => (g.layer === null ? g.curve.tag : `layer ${g.layer}`);
const others = (list: readonly Grad[]): string => list.map((g) => g.layer ?? g.curve.tag).join(', ');

function nonFinite(grads: readonly Grad[]): Finding[] {
  const hits = grads
    .map((g) => ({ g, i: firstNonFinite(g.curve.values) }))
    .filter((h) => h.i >= 0)
    .map((h) => ({ ...h, step: h.g.curve.steps[h.i] as number }));
  if (hits.length === 0) return [];
  hits.sort((a, b) => a.step - b.step);
  const first = hits[0] as (typeof hits)[number];
  const value = first.g.curve.values[first.i] as number;
  const before = first.g.curve.values.slice(0, first.i).filter((v) => Number.isFinite(v));
  return [
    makeFinding(t2ExplodingGradients, {
      severity: 'error',
      message:
        `Gradient norm of ${label(first.g)} is ${value} at step ${first.step}` +
        (before.length > 0 ? ` (last finite value ${round(before[before.length - 1] as number)}, max before ${round(before.reduce((a, b) => Math.max(a, b), -Infinity))})` : '') +
        (hits.length > 1 ? `; ${hits.length} gradient curves go non-finite (${others(hits.map((h) => h.g))}).` : '.'),
      layer: first.g.layer,
      tags: [first.g.curve.tag],
      steps: [first.step, first.g.curve.steps[first.g.curve.steps.length - 1] as number],
      evidence: { step: first.step, value: String(value), lastFinite: before.length > 0 ? round(before[before.length - 1] as number) : null, curvesAffected: hits.length },
      actions: ['add gradient clipping (clipnorm=1.0 / torch.nn.utils.clip_grad_norm_(params, 1.0))', 'lower the learning rate (x0.1)', 'check the loss for log(0) or division by zero (add an epsilon)'],
    }),
  ];
}

function growth(grads: readonly Grad[]): Finding[] {
  const hits: Array<{ g: Grad; severity: Severity; gr: NonNullable<ReturnType<typeof logGrowth>> }> = [];
  for (const g of grads) {
    const gr = logGrowth(g.curve.steps, g.curve.values);
    if (!gr || gr.overRun < MIN_OVER_RUN || gr.endValue < MIN_EXPLODED_NORM) continue;
    if (gr.decades >= GROWTH_ERROR_DECADES) hits.push({ g, severity: 'error', gr });
    else if (gr.decades >= GROWTH_WARN_DECADES && gr.recentDecades >= STILL_RISING_DECADES) hits.push({ g, severity: 'warning', gr });
  }
  if (hits.length === 0) return [];
  hits.sort((a, b) => b.gr.decades - a.gr.decades);
  const { g, severity, gr } = hits[0] as (typeof hits)[number];
  const end = g.curve.steps[g.curve.steps.length - 1] as number;
  return [
    makeFinding(t2ExplodingGradients, {
      severity,
      message:
        `Gradient norm of ${label(g)} grew ${round(10 ** gr.decades)}x (${round(gr.decades)} decades) from ${round(gr.fromValue)} at step ${gr.fromStep} ` +
        `to ${round(gr.endValue)} at the end (step ${end})` +
        (gr.recentDecades >= STILL_RISING_DECADES ? ', still rising' : '') +
        (hits.length > 1 ? `; also growing: ${others(hits.slice(1).map((h) => h.g))}.` : '.'),
      layer: g.layer,
      tags: [g.curve.tag],
      steps: [gr.fromStep, end],
      evidence: {
        fromStep: gr.fromStep,
        fromNorm: round(gr.fromValue),
        endNorm: round(gr.endValue),
        growthDecades: round(gr.decades),
        warnDecades: GROWTH_WARN_DECADES,
        errorDecades: GROWTH_ERROR_DECADES,
        recentDecades: round(gr.recentDecades),
        stillRisingDecades: STILL_RISING_DECADES,
        overRun: round(gr.overRun),
        minOverRun: MIN_OVER_RUN,
        minExplodedNorm: MIN_EXPLODED_NORM,
        curvesAffected: hits.length,
      },
      actions: ['add gradient clipping (clipnorm=1.0)', 'lower the learning rate', 'add normalisation (BatchNorm/LayerNorm) or use He/Glorot init', 'for RNNs, clip and shorten the unrolled sequence'],
    }),
  ];
}

function versusWeights(ctx: CheckContext, grads: readonly Grad[]): Finding[] {
  const weights = layerCurves(ctx.run, 'weight_norm');
  const hits: Array<{ g: Grad; ratio: number; w: number; gn: number }> = [];
  for (const g of grads) {
    const wc = g.layer === null || RATIO_SKIP.test(g.layer) ? undefined : weights.get(g.layer);
    if (!wc) continue;
    const w = binnedMeans(wc.steps, wc.values, g.curve.steps);
    const half = Math.floor(g.curve.steps.length / 2);
    const ratios: number[] = [];
    for (let i = half; i < w.length; i++) {
      const wi = w[i] as number;
      const gi = g.curve.values[i] as number;
      if (Number.isFinite(wi) && Number.isFinite(gi) && wi > MIN_WEIGHT_NORM) ratios.push(gi / wi);
    }
    const ratio = median(ratios);
    if (ratio >= GRAD_TO_WEIGHT_MAX) hits.push({ g, ratio, w: median(w.slice(half)), gn: median(g.curve.values.slice(half)) });
  }
  if (hits.length === 0) return [];
  hits.sort((a, b) => b.ratio - a.ratio);
  const { g, ratio, w, gn } = hits[0] as (typeof hits)[number];
  const steps = g.curve.steps;
  return [
    makeFinding(t2ExplodingGradients, {
      severity: 'warning',
      message:
        `Gradient norm of ${label(g)} is ${round(ratio)}x its weight norm over the second half of the run (median ${round(gn)} vs ${round(w)}; threshold ${GRAD_TO_WEIGHT_MAX}x)` +
        (hits.length > 1 ? `; also: ${others(hits.slice(1).map((h) => h.g))}.` : '.'),
      layer: g.layer,
      tags: [g.curve.tag],
      steps: [steps[Math.floor(steps.length / 2)] as number, steps[steps.length - 1] as number],
      evidence: { gradToWeight: round(ratio), gradNorm: round(gn), weightNorm: round(w), threshold: GRAD_TO_WEIGHT_MAX, layersAffected: hits.length },
      actions: ['add gradient clipping (clipnorm=1.0)', 'lower the learning rate', 'check the init scale of this layer (He/Glorot) and the scale of its inputs'],
    }),
  ];
}

function judge(ctx: CheckContext): Finding[] {
  const grads: Grad[] = [];
  if (ctx.curves.gradNorm) grads.push({ layer: null, curve: ctx.curves.gradNorm });
  for (const [layer, curve] of layerCurves(ctx.run, 'grad_norm')) grads.push({ layer, curve });
  if (grads.length === 0) return [];
  return [...nonFinite(grads), ...growth(grads), ...versusWeights(ctx, grads)];
}

/**
 * T2 Exploding gradients from logged gradient norms. Error: a norm turns NaN/Inf, or grows >= 100x from
 * its low point to where it ends; warning: >= 10x and still rising, or >= 100x the layer's weight norm.
 * @example
 * t2ExplodingGradients.run({ run, curves: resolveCurves(run) })[0]?.layer // 'dense_1'
 */
export const t2ExplodingGradients: Check = {
  id: 'T2',
  title: 'Exploding gradients',
  severity: 'error',
  kind: 'live',
  description: 'Gradient norms (run-level or per layer) go non-finite, grow by orders of magnitude, or dwarf the weight norms.',
  run: judge,
};
