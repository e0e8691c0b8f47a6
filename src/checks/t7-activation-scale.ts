/**
 * T7 Activation scale: the standard deviation of a hidden layer's outputs (`act_std/<layer>`) far
 * outside the unit scale that keeps signals (and gradients) alive through depth. Too small: the
 * signal vanishes layer after layer; too large: it explodes, saturates what follows, and the
 * gradients scale with it.
 */
import { lateLevels } from '../analysis/late-level.js';
import type { Finding, Severity } from '../findings/finding.js';
import type { Curve } from '../telemetry/curves.js';
import { layerCurves } from '../telemetry/layers.js';
import type { Check, CheckContext } from './check.js';
import { makeFinding, tooLittleData } from './check.js';
import { saturationLayers } from './t6-saturation.js';

/** The catalogue's healthy band for a unit-scale signal. */
const BAND: readonly [number, number] = [0.5, 2];
/**
 * Warning 5x outside the band. The band is about pre-activations; we measure outputs. A ReLU output has
 * ~0.58x the std of its input, and TF.js' default Glorot init loses another ~1/sqrt(2) per ReLU layer,
 * so healthy default MLPs sit at 0.15-0.6 in their first layers: 0.1 is clearly below that, 10 clearly
 * above anything a normalised network produces.
 */
const WARN: readonly [number, number] = [0.1, 10];
/** Error 100x outside the band: orders of magnitude off, the signal has vanished or exploded. */
const ERROR: readonly [number, number] = [5e-3, 200];
/**
 * Bounded layers (sigmoid/tanh/softsign: those with an `act_sat_frac` curve) cannot explode, and a
 * sigmoid's slope is at most 1/4: a unit-scale pre-activation gives an output std of ~0.2. Their low
 * thresholds are divided by 4.
 */
const BOUNDED_FACTOR = 4;
/** Sampled points needed in the judged window (the second half of the run: sustained). */
const MIN_POINTS = 3;

const fmt = (x: number): string => (x === 0 ? '0' : x >= 0.01 && x < 1000 ? String(Number(x.toPrecision(2))) : x.toExponential(1));

interface Hit {
  readonly layer: string;
  readonly curve: Curve;
  readonly std: number;
  readonly severity: Severity;
  readonly direction: 'vanish' | 'explode';
  /** Decades outside the warning band (ranks the hits). */
  readonly off: number;
  readonly bounded: boolean;
  readonly from: number;
  readonly to: number;
}

function judge(ctx: CheckContext): Finding[] {
  const curves = [...layerCurves(ctx.run, 'act_std')];
  const hidden = curves.slice(0, -1); // the last layer logged is the output: its scale is the target's
  const bounded = saturationLayers(ctx); // nndoctor writes act_sat_frac for hidden sigmoid/tanh/softsign layers
  const hits: Hit[] = [];
  const { levels, short } = lateLevels(hidden, MIN_POINTS);
  if (short) return [tooLittleData(t7ActivationScale, short.tag, Math.ceil(short.values.length / 2), MIN_POINTS)];
  for (const { layer, curve, level: std, from, to } of levels) {
    const b = bounded.has(layer);
    const low = b ? WARN[0] / BOUNDED_FACTOR : WARN[0];
    const lowError = b ? ERROR[0] / BOUNDED_FACTOR : ERROR[0];
    const span = { from, to };
    if (std < low) hits.push({ layer, curve, std, severity: std < lowError ? 'error' : 'warning', direction: 'vanish', off: Math.log10(low / Math.max(std, 1e-30)), bounded: b, ...span });
    else if (!b && std > WARN[1]) hits.push({ layer, curve, std, severity: std > ERROR[1] ? 'error' : 'warning', direction: 'explode', off: Math.log10(std / WARN[1]), bounded: b, ...span });
  }
  if (hits.length === 0) return [];
  hits.sort((a, b) => b.off - a.off);
  const worst = hits[0] as Hit;
  const severity: Severity = hits.some((h) => h.severity === 'error') ? 'error' : 'warning';
  const vanish = worst.direction === 'vanish';
  const band = worst.bounded ? `bounded layer: warning below ${fmt(WARN[0] / BOUNDED_FACTOR)}` : `healthy ~${BAND[0]}-${BAND[1]}, warning outside ${fmt(WARN[0])}-${fmt(WARN[1])}, error outside ${fmt(ERROR[0])}-${fmt(ERROR[1])}`;
  const also = hits.length > 1 ? `; also ${hits.slice(1).map((h) => `${h.layer} ${fmt(h.std)}`).join(', ')}` : '';
  return [
    makeFinding(t7ActivationScale, {
      severity,
      message: `Activations of ${worst.layer} have std ${fmt(worst.std)} (median over steps ${worst.from}-${worst.to}; ${band}): the signal ${vanish ? 'vanishes' : 'explodes'}${also}.`,
      layer: worst.layer,
      tags: hits.map((h) => h.curve.tag),
      steps: [worst.from, worst.to],
      evidence: { std: Number(worst.std.toPrecision(3)), direction: worst.direction, bounded: worst.bounded, warnLow: WARN[0], warnHigh: WARN[1], errorLow: ERROR[0], errorHigh: ERROR[1], layersAffected: hits.length },
      actions: vanish
        ? ['use He initialisation for ReLU layers (Glorot for tanh/sigmoid) and scale the inputs (D2)', 'add BatchNorm/LayerNorm; check for dead ReLUs (T5) or constant outputs (M5 symmetric init)', 'check the weight scale of this layer (weights collapsing toward 0: too much weight decay?)']
        : ['check the init scale of this and earlier layers (weights far above Glorot/He)', 'scale the inputs (D2); add BatchNorm/LayerNorm', 'lower the learning rate if the scale grew during training (weights drifting, T8)'],
    }),
  ];
}

/**
 * T7 from `act_std/<layer>` of hidden layers (all but the last logged; median over the second half of
 * the sampled steps): warning below 0.1 or above 10, error below 5e-3 or above 200; bounded
 * (sigmoid/tanh) layers are judged only on the low side, with thresholds / 4.
 * @example
 * t7ActivationScale.run({ run, curves: resolveCurves(run) })[0]?.evidence.direction // 'explode'
 */
export const t7ActivationScale: Check = {
  id: 'T7',
  title: 'Activation scale',
  severity: 'error',
  kind: 'live',
  description: 'Hidden-layer activation std (act_std) far outside the unit scale: below 0.1 / above 10 warning, below 5e-3 / above 200 error.',
  run: judge,
};
