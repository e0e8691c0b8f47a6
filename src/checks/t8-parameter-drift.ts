/**
 * T8 Parameter drift (log mode): weights that turn non-finite or grow without bound, biases that grow
 * very large, and (info) weight histograms far from the roughly Gaussian shape of healthy layers. Reads
 * `parameters/<layer>` histograms and `weight_norm/<layer>` curves.
 */
import { firstNonFinite } from '../analysis/finite.js';
import { logGrowth } from '../analysis/growth.js';
import { histogramMaxAbs, histogramMean, histogramNonFinite, rebin } from '../analysis/histogram-stats.js';
import { movingAverage } from '../analysis/noise.js';
import type { Finding, Severity } from '../findings/finding.js';
import { layerCurves, layerHistograms } from '../telemetry/layers.js';
import type { Check, CheckContext } from './check.js';
import { makeFinding } from './check.js';
import { minOf } from '../analysis/extremes.js';

/** Weight-norm growth over the run (from its low point to the end) for a warning (if still rising) / an error. */
const GROWTH_WARN = 10;
const GROWTH_ERROR = 1000;
/** "Still rising": the end level is at least this many decades above the level at 2/3 of the run (~26%). */
const STILL_RISING_DECADES = 0.1;
/** Norms below this at the low point are zero-initialised: growth from ~0 is learning, not drift. */
const MIN_START_NORM = 1e-6;
/**
 * A bias with |value| above this (max abs from histograms, else the bias-vector norm) that also grew
 * at least BIAS_GROWTH times: pre-activations are O(1) with normalised inputs and Glorot/He init, so a
 * bias of 100 saturates any sigmoid/tanh and dwarfs W.x (unscaled regression targets are the usual cause).
 */
const BIAS_MAX = 100;
const BIAS_GROWTH = 2;
/** Shape (info): share of mass in the outer 10% of the range on each side, and the bimodality valley. */
const SHAPE_BINS = 20;
const EDGE_MASS = 0.5;
const VALLEY_RATIO = 0.25;
const MIN_VALUES = 100;

const round = (x: number): number => Number(x.toPrecision(3));
const isBias = (layer: string): boolean => /bias/i.test(layer);

function nonFinite(ctx: CheckContext): Finding[] {
  const hits: Array<{ layer: string; step: number; tag: string }> = [];
  for (const [layer, s] of layerHistograms(ctx.run, 'parameters')) {
    const i = s.histograms.findIndex(histogramNonFinite);
    if (i >= 0) hits.push({ layer, step: s.steps[i] as number, tag: s.tag });
  }
  for (const [layer, c] of layerCurves(ctx.run, 'weight_norm')) {
    const i = firstNonFinite(c.values);
    if (i >= 0 && !hits.some((h) => h.layer === layer)) hits.push({ layer, step: c.steps[i] as number, tag: c.tag });
  }
  if (hits.length === 0) return [];
  hits.sort((a, b) => a.step - b.step);
  const first = hits[0] as (typeof hits)[number];
  return [
    makeFinding(t8ParameterDrift, {
      severity: 'error',
      message: `Weights of ${first.layer} are non-finite at step ${first.step}` + (hits.length > 1 ? `; ${hits.length} layers in all (${hits.map((h) => h.layer).join(', ')}).` : '.'),
      layer: first.layer,
      tags: [first.tag],
      steps: [first.step, first.step],
      evidence: { step: first.step, layersAffected: hits.length },
      actions: ['add gradient clipping (clipnorm=1.0)', 'lower the learning rate', 'find the first non-finite gradient or loss (T1, T2)'],
    }),
  ];
}

function growth(ctx: CheckContext): Finding[] {
  const hits: Array<{ layer: string; tag: string; end: number; severity: Severity; gr: NonNullable<ReturnType<typeof logGrowth>> }> = [];
  for (const [layer, c] of layerCurves(ctx.run, 'weight_norm')) {
    if (isBias(layer)) continue;
    const gr = logGrowth(c.steps, c.values);
    if (!gr || gr.fromValue < MIN_START_NORM) continue;
    const factor = 10 ** gr.decades;
    const end = c.steps[c.steps.length - 1] as number;
    if (factor >= GROWTH_ERROR) hits.push({ layer, tag: c.tag, end, severity: 'error', gr });
    else if (factor >= GROWTH_WARN && gr.recentDecades >= STILL_RISING_DECADES) hits.push({ layer, tag: c.tag, end, severity: 'warning', gr });
  }
  if (hits.length === 0) return [];
  hits.sort((a, b) => b.gr.decades - a.gr.decades);
  const { layer, tag, end, severity, gr } = hits[0] as (typeof hits)[number];
  return [
    makeFinding(t8ParameterDrift, {
      severity,
      message:
        `Weight norm of ${layer} grew ${round(10 ** gr.decades)}x (${round(gr.fromValue)} at step ${gr.fromStep} -> ${round(gr.endValue)}) and is still rising ` +
        `(+${round(10 ** gr.recentDecades)}x over the last third)` + (hits.length > 1 ? `; also: ${hits.slice(1).map((h) => h.layer).join(', ')}.` : '.'),
      layer,
      tags: [tag],
      steps: [gr.fromStep, end],
      evidence: { growth: round(10 ** gr.decades), warnGrowth: GROWTH_WARN, errorGrowth: GROWTH_ERROR, fromNorm: round(gr.fromValue), endNorm: round(gr.endValue), recentGrowth: round(10 ** gr.recentDecades), layersAffected: hits.length },
      actions: ['add weight decay (e.g. AdamW weight_decay=0.01) or a max-norm constraint', 'lower the learning rate', 'check for a missing normalisation layer feeding this one'],
    }),
  ];
}

function biases(ctx: CheckContext): Finding[] {
  const hists = layerHistograms(ctx.run, 'parameters');
  const norms = layerCurves(ctx.run, 'weight_norm');
  const hits: Array<{ layer: string; tag: string; size: number; start: number; step: number; mean: number | null }> = [];
  for (const layer of new Set([...hists.keys(), ...norms.keys()])) {
    if (!isBias(layer)) continue;
    const h = hists.get(layer);
    const c = norms.get(layer);
    let sizes: number[];
    let steps: readonly number[];
    if (h) {
      sizes = h.histograms.map(histogramMaxAbs);
      steps = h.steps;
    } else if (c) {
      sizes = [...c.values];
      steps = c.steps;
    } else continue;
    const finite = sizes.map((v, i) => ({ v, s: steps[i] as number })).filter((p) => Number.isFinite(p.v));
    const last = finite[finite.length - 1];
    const first = finite[0];
    if (!last || !first || last.v <= BIAS_MAX || last.v < BIAS_GROWTH * first.v) continue;
    const lastHist = h?.histograms[h.histograms.length - 1];
    hits.push({ layer, tag: h?.tag ?? c?.tag ?? layer, size: last.v, start: first.v, step: last.s, mean: lastHist ? histogramMean(lastHist) : null });
  }
  if (hits.length === 0) return [];
  hits.sort((a, b) => b.size - a.size);
  const top = hits[0] as (typeof hits)[number];
  return [
    makeFinding(t8ParameterDrift, {
      severity: 'warning',
      message:
        `Bias ${top.layer} reached |b| = ${round(top.size)} at step ${top.step} (from ${round(top.start)}; threshold ${BIAS_MAX})` +
        (hits.length > 1 ? `; also: ${hits.slice(1).map((h) => h.layer).join(', ')}.` : '.'),
      layer: top.layer,
      tags: [top.tag],
      steps: [top.step, top.step],
      evidence: { biasMagnitude: round(top.size), biasStart: round(top.start), biasMean: top.mean === null ? null : round(top.mean), threshold: BIAS_MAX, growthThreshold: BIAS_GROWTH, layersAffected: hits.length },
      actions: ['standardise regression targets (or initialise the output bias at the target mean, M4)', 'standardise the input features', 'add weight decay or lower the learning rate'],
    }),
  ];
}

/** Edge mass and bimodality of one histogram, or null when not judged. */
function shape(shares: readonly number[]): { edgeMass: number; valley: number | null } {
  const edgeMass = (shares[0] as number) + (shares[1] as number) + (shares[SHAPE_BINS - 2] as number) + (shares[SHAPE_BINS - 1] as number);
  const s = movingAverage(shares, 3);
  const peaks: number[] = [];
  for (let i = 0; i < s.length; i++) if ((s[i] as number) > (s[i - 1] ?? -1) && (s[i] as number) >= (s[i + 1] ?? -1)) peaks.push(i);
  peaks.sort((a, b) => (s[b] as number) - (s[a] as number));
  const [p, q] = peaks;
  if (p === undefined || q === undefined || Math.abs(p - q) < 4) return { edgeMass, valley: null };
  const lo = Math.min(p, q);
  const hi = Math.max(p, q);
  const valley = minOf(s.slice(lo, hi + 1)) / Math.min(s[p] as number, s[q] as number);
  return { edgeMass, valley };
}

function shapes(ctx: CheckContext): Finding[] {
  const out: Finding[] = [];
  for (const [layer, series] of layerHistograms(ctx.run, 'parameters')) {
    const h = series.histograms[series.histograms.length - 1];
    if (isBias(layer) || !h || h.num < MIN_VALUES || histogramNonFinite(h)) continue;
    const shares = rebin(h, SHAPE_BINS);
    if (!shares) continue;
    const { edgeMass, valley } = shape(shares);
    const bimodal = valley !== null && valley < VALLEY_RATIO;
    if (edgeMass < EDGE_MASS && !bimodal) continue;
    const step = series.steps[series.steps.length - 1] as number;
    out.push(
      makeFinding(t8ParameterDrift, {
        severity: 'info',
        title: 'Parameter drift: unusual weight distribution',
        message:
          `Weights of ${layer} at step ${step} are far from a bell shape: ` +
          (bimodal ? `two separate modes (valley ${round(valley ?? 0)} of the smaller peak, threshold ${VALLEY_RATIO})` : `${round(edgeMass * 100)}% of the mass in the outer 10% of the range on each side (threshold ${EDGE_MASS * 100}%)`) +
          '; usually clipped/saturated weights or a quantisation/constraint effect.',
        layer,
        tags: [series.tag],
        steps: [step, step],
        evidence: { edgeMass: round(edgeMass), edgeMassThreshold: EDGE_MASS, valleyRatio: valley === null ? null : round(valley), valleyThreshold: VALLEY_RATIO, min: round(h.min), max: round(h.max) },
        actions: ['check weight constraints/clipping on this layer', 'lower the learning rate if the weights are being pushed to the clip bounds'],
      }),
    );
  }
  return out;
}

function judge(ctx: CheckContext): Finding[] {
  return [...nonFinite(ctx), ...growth(ctx), ...biases(ctx), ...shapes(ctx)];
}

/**
 * T8 Parameter drift from per-layer weight histograms / norms. Error: non-finite weights, or a weight
 * norm grown >= 1000x; warning: >= 10x and still rising, or a bias grown past |b| = 100; info: a
 * weight histogram that is bimodal or has >= 50% of its mass at the edges.
 * @example
 * t8ParameterDrift.run({ run, curves: resolveCurves(run) }).map((f) => f.layer) // ['dense_1/bias']
 */
export const t8ParameterDrift: Check = {
  id: 'T8',
  title: 'Parameter drift',
  severity: 'error',
  kind: 'live',
  description: 'Weights turn non-finite or grow without bound, biases grow very large, or weight histograms lose their bell shape.',
  run: judge,
};
