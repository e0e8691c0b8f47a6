/**
 * T6 Saturated sigmoid/tanh: a large share of a bounded hidden layer's pre-activations sit in the
 * flat tails, where the local slope is tiny and almost no gradient passes. Reads `act_sat_frac/<layer>`:
 * the share of a hidden sigmoid/tanh/softsign layer's outputs whose pre-activation has |x| > 3
 * (sigmoid slope there <= 0.045, 18% of its peak; tanh <= 0.0099, 1% of its peak).
 */
import { lateLevels } from '../analysis/late-level.js';
import type { Finding } from '../findings/finding.js';
import { layerCurves } from '../telemetry/layers.js';
import type { Check, CheckContext } from './check.js';
import { makeFinding, tooLittleData } from './check.js';

/**
 * Warning above half: with zero-mean unit-scale pre-activations (Glorot init, scaled inputs) only ~0.3%
 * fall beyond |x| > 3; a layer with most of its units there has lost the gradient of most units.
 */
const WARN = 0.5;
/** Error above 95%: practically the whole layer is flat; it passes ~no gradient to the layers below (T3). */
const ERROR = 0.95;
/** Sampled points needed in the judged window (second half of the run: sustained, not a transient). */
const MIN_POINTS = 3;

const pct = (x: number): string => `${Math.round(x * 100)}%`;

function judge(ctx: CheckContext): Finding[] {
  const { levels, short } = lateLevels(layerCurves(ctx.run, 'act_sat_frac'), MIN_POINTS);
  if (short) return [tooLittleData(t6Saturation, short.tag, Math.ceil(short.values.length / 2), MIN_POINTS)];
  const hits = levels.filter((l) => l.level > WARN).map((l) => ({ ...l, share: l.level }));
  if (hits.length === 0) return [];
  hits.sort((a, b) => b.share - a.share);
  const worst = hits[0] as (typeof hits)[number];
  const also = hits.length > 1 ? `; also ${hits.slice(1).map((h) => `${h.layer} ${pct(h.share)}`).join(', ')}` : '';
  return [
    makeFinding(t6Saturation, {
      severity: worst.share > ERROR ? 'error' : 'warning',
      message: `${pct(worst.share)} of the outputs of ${worst.layer} are saturated (pre-activation |x| > 3, median over steps ${worst.from}-${worst.to}; warning above ${pct(WARN)}, error above ${pct(ERROR)}): little gradient passes through${also}.`,
      layer: worst.layer,
      tags: hits.map((h) => h.curve.tag),
      steps: [worst.from, worst.to],
      evidence: { saturatedFraction: Number(worst.share.toFixed(3)), tail: 3, warnAbove: WARN, errorAbove: ERROR, layersAffected: hits.length },
      actions: [
        'scale the inputs (D2) and use Glorot/Xavier initialisation so pre-activations start near unit scale',
        'lower the learning rate; add BatchNorm/LayerNorm before the activation',
        'use ReLU/GELU in hidden layers instead of sigmoid/tanh',
      ],
    }),
  ];
}

/**
 * T6 from `act_sat_frac/<layer>` (median over the second half of the sampled steps): warning when more
 * than 50% of a hidden bounded layer's outputs are in the |x| > 3 tails, error above 95%.
 * @example
 * t6Saturation.run({ run, curves: resolveCurves(run) })[0]?.evidence.saturatedFraction // 0.8
 */
export const t6Saturation: Check = {
  id: 'T6',
  title: 'Saturated activations',
  severity: 'error',
  kind: 'live',
  description: 'Share of a hidden sigmoid/tanh layer\'s pre-activations in the flat tails beyond ±3 (act_sat_frac): above 50% warning, above 95% error.',
  run: judge,
};

/** Exported for T7, which must not judge bounded layers on the unbounded scale band. */
export function saturationLayers(ctx: CheckContext): Set<string> {
  return new Set(layerCurves(ctx.run, 'act_sat_frac').keys());
}
