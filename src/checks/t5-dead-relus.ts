/**
 * T5 Dead ReLUs: units of a ReLU layer that output zero for every input. They get no gradient, so
 * they never come back (typically after a too-large step pushed their bias far negative). Reads
 * `act_dead_frac/<layer>`: per sampled batch, the share of the layer's units (last axis) that are zero
 * on every example of the batch.
 */
import { lateLevels } from '../analysis/late-level.js';
import type { Finding } from '../findings/finding.js';
import { layerCurves } from '../telemetry/layers.js';
import type { Check, CheckContext } from './check.js';
import { makeFinding, tooLittleData } from './check.js';

/**
 * Warning above half the units dead: a healthy ReLU unit is zero on ~half the examples, so the chance
 * it is zero on all 32 examples of a batch is ~0.5^32; well-initialised networks have a few percent
 * dead units at most. Half the layer gone is half its capacity lost.
 */
const WARN = 0.5;
/** Error above 90%: the layer passes almost nothing forward and almost no gradient backward. */
const ERROR = 0.9;
/** Sampled points needed in the judged window (the second half of the run: dead units stay dead). */
const MIN_POINTS = 3;

const pct = (x: number): string => `${Math.round(x * 100)}%`;

function judge(ctx: CheckContext): Finding[] {
  const { levels, short } = lateLevels(layerCurves(ctx.run, 'act_dead_frac'), MIN_POINTS);
  if (short) return [tooLittleData(t5DeadRelus, short.tag, Math.ceil(short.values.length / 2), MIN_POINTS)];
  const hits = levels.filter((l) => l.level > WARN).map((l) => ({ ...l, dead: l.level }));
  if (hits.length === 0) return [];
  hits.sort((a, b) => b.dead - a.dead);
  const worst = hits[0] as (typeof hits)[number];
  const also = hits.length > 1 ? `; also ${hits.slice(1).map((h) => `${h.layer} ${pct(h.dead)}`).join(', ')}` : '';
  return [
    makeFinding(t5DeadRelus, {
      severity: worst.dead > ERROR ? 'error' : 'warning',
      message: `${pct(worst.dead)} of the units of ${worst.layer} are dead (zero on every example of the sampled batches; median over steps ${worst.from}-${worst.to}, warning above ${pct(WARN)}, error above ${pct(ERROR)})${also}.`,
      layer: worst.layer,
      tags: hits.map((h) => h.curve.tag),
      steps: [worst.from, worst.to],
      evidence: { deadFraction: Number(worst.dead.toFixed(3)), warnAbove: WARN, errorAbove: ERROR, layersAffected: hits.length },
      actions: [
        'lower the learning rate (a too-large step pushes biases far negative and the units never recover)',
        'use LeakyReLU/ELU/GELU, or He initialisation with zero (or slightly positive) biases',
        'add BatchNorm before the activation; check the inputs are scaled (D2)',
      ],
    }),
  ];
}

/**
 * T5 from `act_dead_frac/<layer>` (median over the second half of the sampled steps): warning when more
 * than 50% of a layer's units are dead, error above 90%.
 * @example
 * t5DeadRelus.run({ run, curves: resolveCurves(run) })[0]?.evidence.deadFraction // 0.94
 */
export const t5DeadRelus: Check = {
  id: 'T5',
  title: 'Dead ReLUs',
  severity: 'error',
  kind: 'live',
  description: 'Share of a ReLU layer\'s units that output zero on every example of the sampled batches (act_dead_frac): above 50% warning, above 90% error.',
  run: judge,
};
