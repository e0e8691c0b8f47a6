/**
 * T4 Update/weight ratio: per parameter, ||Δw|| / ||w|| per optimiser step (`update_ratio/<param>`).
 * The rule of thumb (CS231n, Karpathy) is ~1e-3: each step changes a weight matrix by a thousandth of
 * its size. Orders of magnitude below, the layer barely learns; above, the step overshoots.
 */
import { lateLevels } from '../analysis/late-level.js';
import type { Finding, Severity } from '../findings/finding.js';
import type { Curve } from '../telemetry/curves.js';
import { layerCurves } from '../telemetry/layers.js';
import type { Check, CheckContext } from './check.js';
import { makeFinding, tooLittleData } from './check.js';
import { maxOf } from '../analysis/extremes.js';

/** The healthy level the thresholds are measured from. */
const TARGET = 1e-3;
/**
 * 100x below the target: at 1e-5 per step a weight matrix needs ~1e5 steps to change by its own size,
 * i.e. it effectively stays at its initialisation for a whole training run.
 */
const LOW_WARN = 1e-5;
/** 100x above the target: each step rewrites a tenth of the weights; loss curves get noisy or diverge. */
const HIGH_WARN = 1e-1;
/** An update as large as the weights themselves: the layer is re-randomised every step. */
const HIGH_ERROR = 1;
/** Sampled points needed in the judged window (the second half of the run: sustained, after warm-up). */
const MIN_POINTS = 3;
/** A learning rate ending below this share of its peak is a decay schedule: small late updates are by design. */
const LR_DECAYED = 0.1;
/**
 * Biases start at zero (infinite ratio at the first steps) and normalisation scales/offsets move
 * differently from weight matrices; the rule of thumb is about weight matrices.
 */
const SKIP = /bias|beta|gamma|moving_|norm|(^|[._/])(bn|ln)\d*([._/]|$)/i;

const fmt = (x: number): string => (x === 0 ? '0' : x.toExponential(1));

interface Level {
  readonly layer: string;
  readonly curve: Curve;
  readonly ratio: number;
  readonly from: number;
  readonly to: number;
}

function levels(ctx: CheckContext): { judged: Level[]; short: Curve | null } {
  const weights = [...layerCurves(ctx.run, 'update_ratio')].filter(([layer]) => !SKIP.test(layer));
  const { levels: late, short } = lateLevels(weights, MIN_POINTS);
  return { judged: late.map((l) => ({ layer: l.layer, curve: l.curve, ratio: l.level, from: l.from, to: l.to })), short };
}

function lrDecayed(ctx: CheckContext): boolean {
  const lr = ctx.curves.lr?.values.filter((v) => Number.isFinite(v)) ?? [];
  if (lr.length < 2) return false;
  const peak = maxOf(lr);
  return peak > 0 && (lr[lr.length - 1] as number) < LR_DECAYED * peak;
}

function finding(kind: 'high' | 'low', hits: Level[], severity: Severity): Finding {
  hits.sort((a, b) => (kind === 'high' ? b.ratio - a.ratio : a.ratio - b.ratio));
  const worst = hits[0] as Level;
  const others = hits.slice(1).map((h) => `${h.layer}=${fmt(h.ratio)}`);
  const also = others.length > 0 ? `; also ${others.join(', ')}` : '';
  const high = kind === 'high';
  return makeFinding(t4UpdateRatio, {
    severity,
    ...(high ? { title: 'Update/weight ratio too high' } : { title: 'Update/weight ratio too low' }),
    message: high
      ? `Each step changes ${worst.layer} by ${fmt(worst.ratio)} of its norm (median, steps ${worst.from}-${worst.to}; healthy ~${fmt(TARGET)}, warning above ${fmt(HIGH_WARN)}, error above ${fmt(HIGH_ERROR)}): the updates overshoot${also}.`
      : `Each step changes ${worst.layer} by only ${fmt(worst.ratio)} of its norm (median, steps ${worst.from}-${worst.to}; healthy ~${fmt(TARGET)}, warning below ${fmt(LOW_WARN)}): it is barely learning${also}.`,
    layer: worst.layer,
    tags: hits.map((h) => h.curve.tag),
    steps: [worst.from, worst.to],
    evidence: { ratio: Number(worst.ratio.toPrecision(3)), target: TARGET, ...(high ? { warnAbove: HIGH_WARN, errorAbove: HIGH_ERROR } : { warnBelow: LOW_WARN }), layersAffected: hits.length },
    actions: high
      ? ['lower the learning rate (x0.1), or run a learning-rate range test (P2)', 'add gradient clipping (clipnorm=1.0) and a warm-up', 'check the init scale of this layer (a near-zero init makes any update large relative to it)']
      : ['raise the learning rate (x10), or run a learning-rate range test (P2)', 'check that gradients reach this layer (T3) and that it is not frozen (T9)', 'check the init scale: very large weights make every update small relative to them'],
  });
}

function judge(ctx: CheckContext): Finding[] {
  const { judged, short } = levels(ctx);
  if (judged.length === 0) return short ? [tooLittleData(t4UpdateRatio, short.tag, Math.ceil(short.values.length / 2), MIN_POINTS)] : [];
  const out: Finding[] = [];
  const high = judged.filter((l) => l.ratio > HIGH_WARN);
  if (high.length > 0) out.push(finding('high', high, high.some((l) => l.ratio > HIGH_ERROR) ? 'error' : 'warning'));
  const low = judged.filter((l) => l.ratio < LOW_WARN);
  if (low.length > 0 && !lrDecayed(ctx)) out.push(finding('low', low, 'warning'));
  return out;
}

/**
 * T4 from `update_ratio/<param>` curves (median over the second half of the run, biases and
 * normalisation parameters left out). Warning below 1e-5 (unless the learning rate decayed to <10% of
 * its peak) or above 1e-1; error above 1.
 * @example
 * t4UpdateRatio.run({ run, curves: resolveCurves(run) })[0]?.evidence.ratio // 0.3
 */
export const t4UpdateRatio: Check = {
  id: 'T4',
  title: 'Update/weight ratio',
  severity: 'error',
  kind: 'live',
  description: 'Per-parameter update/weight ratio (norm of a step over the norm of the weights) far from ~1e-3: below 1e-5 barely learning, above 0.1 unstable, above 1 broken.',
  run: judge,
};
