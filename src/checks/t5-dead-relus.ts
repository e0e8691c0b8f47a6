/**
 * T5 Dead ReLUs: units of a ReLU layer that output zero for every input. They get no gradient, so
 * they never come back (typically after a too-large step pushed their bias far negative). Reads
 * `act_dead_frac/<layer>`: per sampled batch, the share of the layer's units (last axis) that are zero
 * on every example of the batch.
 */
import { lateLevels, latestPoints } from '../analysis/late-level.js';
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
/**
 * A layer at least this dead is ~entirely dead (every unit of a layer of up to 20 units, all but one of
 * wider ones). Such a layer passes no gradient to itself or anything before it, so it cannot recover:
 * it is judged from its latest points alone, without waiting for a second half of the run to exist.
 */
const FULLY_DEAD = 0.95;
/**
 * Consecutive latest sampled points that must all be ~entirely dead (a one-sample blip is not enough).
 * Two: a layer this dead passes no gradient to itself or upstream, so a second sample already shows it
 * stays dead; waiting for a third cost the corpus 10 more steps on a mid-run death (docs/quality.md).
 */
const RECENT_POINTS = 2;

const pct = (x: number): string => `${Math.round(x * 100)}%`;

interface Hit {
  readonly layer: string;
  readonly tag: string;
  readonly dead: number;
  readonly from: number;
  readonly to: number;
  /** `late-median`: median of the second half; `latest-points`: every one of the latest points ~entirely dead. */
  readonly basis: 'late-median' | 'latest-points';
}

function judge(ctx: CheckContext): Finding[] {
  const curves = layerCurves(ctx.run, 'act_dead_frac');
  const { levels, short } = lateLevels(curves, MIN_POINTS);
  const hits: Hit[] = levels.filter((l) => l.level > WARN).map((l) => ({ layer: l.layer, tag: l.curve.tag, dead: l.level, from: l.from, to: l.to, basis: 'late-median' }));
  // A layer entirely dead at each of its latest points is dead now, whatever its median says (early in
  // a live run the second half is a point or two; after a late collapse the median still remembers it alive).
  for (const [layer, curve] of curves) {
    const latest = latestPoints(curve, RECENT_POINTS);
    if (!latest || latest.values.some((v) => v < FULLY_DEAD)) continue;
    const dead = Math.min(...latest.values);
    const i = hits.findIndex((h) => h.layer === layer);
    const hit: Hit = { layer, tag: curve.tag, dead, from: latest.from, to: latest.to, basis: 'latest-points' };
    if (i === -1) hits.push(hit);
    else if ((hits[i] as Hit).dead <= ERROR) hits[i] = hit;
  }
  if (hits.length === 0 && short) return [tooLittleData(t5DeadRelus, short.tag, Math.ceil(short.values.length / 2), MIN_POINTS)];
  if (hits.length === 0) return [];
  hits.sort((a, b) => b.dead - a.dead);
  const worst = hits[0] as Hit;
  const measured = worst.basis === 'latest-points'
    ? `at least ${pct(worst.dead)} at each of the last ${RECENT_POINTS} sampled steps ${worst.from}-${worst.to}, judged from them alone above ${pct(FULLY_DEAD)}: a layer this dead gets no gradient and cannot recover`
    : `median over steps ${worst.from}-${worst.to}`;
  const also = hits.length > 1 ? `; also ${hits.slice(1).map((h) => `${h.layer} ${pct(h.dead)}`).join(', ')}` : '';
  return [
    makeFinding(t5DeadRelus, {
      severity: worst.dead > ERROR ? 'error' : 'warning',
      message: `${pct(worst.dead)} of the units of ${worst.layer} are dead (zero on every example of the sampled batches; ${measured}; warning above ${pct(WARN)}, error above ${pct(ERROR)})${also}.`,
      layer: worst.layer,
      tags: hits.map((h) => h.tag),
      steps: [worst.from, worst.to],
      evidence: {
        deadFraction: Number(worst.dead.toFixed(3)),
        warnAbove: WARN,
        errorAbove: ERROR,
        layersAffected: hits.length,
        basis: worst.basis,
        fullyDeadAbove: FULLY_DEAD,
        latestPoints: RECENT_POINTS,
      },
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
 * than 50% of a layer's units are dead, error above 90%. A layer at least 95% dead at each of its
 * latest 2 sampled points is an error at once (such a layer cannot recover), so a network dead from
 * step 0 is reported as soon as 3 points are logged; a layer dead only at the start and alive later is not.
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
