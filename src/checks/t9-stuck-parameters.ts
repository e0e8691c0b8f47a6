/**
 * T9 Stuck parameters (log mode): parameters whose weights stay identical at every logged step from
 * some point on (frozen when they should learn? killed by a first huge step, e.g. SGD at a huge rate
 * saturating or killing every unit so no gradient flows again?), whether other layers still change or
 * none does. Reads `parameters/<layer>` histograms, else `weight_norm/<layer>` curves.
 */
import { nearlyEqual, sameHistogram } from '../analysis/histogram-stats.js';
import { lrNearZeroOver } from '../analysis/lr-events.js';
import type { Finding } from '../findings/finding.js';
import { layerCurves, layerHistograms } from '../telemetry/layers.js';
import type { Check, CheckContext } from './check.js';
import { makeFinding } from './check.js';

/** Two logged states are "identical" within this relative tolerance on every number. */
const SAME_RELATIVE = 1e-7;
/**
 * A parameter that changed early and then never again is stuck when its identical tail spans at least
 * this many logged states and at least half of them (a parameter identical at every logged state is
 * stuck from 2 states on, as before).
 */
const MIN_TAIL_STATES = 3;
const MIN_TAIL_SHARE = 0.5;

interface LayerState {
  readonly layer: string;
  readonly tag: string;
  readonly steps: readonly number[];
  /** Index of the first logged state of the identical tail, or -1 when the parameter is not stuck. */
  readonly stuckFrom: number;
}

/** Start of the run of states identical to the last one, if that run makes the parameter stuck; else -1. */
function stuckTail(n: number, sameAsLast: (i: number) => boolean): number {
  if (n < 2) return -1;
  let k = n - 1;
  while (k > 0 && sameAsLast(k - 1)) k--;
  const tail = n - k;
  if (k === 0) return 0;
  return tail >= MIN_TAIL_STATES && tail >= MIN_TAIL_SHARE * n ? k : -1;
}

function states(ctx: CheckContext): LayerState[] {
  const out: LayerState[] = [];
  const hists = layerHistograms(ctx.run, 'parameters');
  for (const [layer, s] of hists) {
    const last = s.histograms[s.histograms.length - 1];
    if (!last || new Set(s.steps).size < 2) continue;
    out.push({ layer, tag: s.tag, steps: s.steps, stuckFrom: stuckTail(s.histograms.length, (i) => sameHistogram(s.histograms[i] as (typeof s.histograms)[number], last, SAME_RELATIVE)) });
  }
  if (hists.size > 0) return out;
  for (const [layer, c] of layerCurves(ctx.run, 'weight_norm')) {
    const last = c.values[c.values.length - 1];
    if (last === undefined || c.steps.length < 2) continue;
    const finite = (i: number): boolean => Number.isFinite(c.values[i]);
    out.push({ layer, tag: c.tag, steps: c.steps, stuckFrom: finite(c.values.length - 1) ? stuckTail(c.values.length, (i) => finite(i) && nearlyEqual(c.values[i] as number, last, SAME_RELATIVE)) : -1 });
  }
  return out;
}

function judge(ctx: CheckContext): Finding[] {
  const all = states(ctx);
  const stuck = all.filter((s) => s.stuckFrom >= 0);
  if (stuck.length === 0) return [];
  const moving = all.length - stuck.length;
  const first = Math.min(...stuck.map((s) => s.steps[s.stuckFrom] as number));
  const last = Math.max(...stuck.map((s) => s.steps[s.steps.length - 1] as number));
  // A learning rate at ~0 over the stretch is the cause, and T10 reports it (decayed too early, or 0 throughout).
  if (ctx.curves.lr && lrNearZeroOver(ctx.curves.lr, first, last)) return [];
  const names = stuck.map((s) => s.layer);
  const logged = Math.max(...stuck.map((s) => new Set(s.steps.slice(s.stuckFrom)).size));
  const fromStart = stuck.every((s) => s.stuckFrom === 0);
  const whole = moving === 0;
  const since = fromStart ? `between steps ${first} and ${last}` : `from step ${first} to ${last} (changing only before that)`;
  return [
    makeFinding(t9StuckParameters, {
      severity: 'warning',
      ...(whole ? { title: 'Stuck parameters: the model does not update' } : {}),
      message: whole
        ? `None of the ${all.length} logged layers changed ${since} (${logged} logged states, identical within ${SAME_RELATIVE} relative): the model does not update.`
        : `${stuck.length} of ${all.length} layers never changed ${since} while the other ${moving} did: ${names.join(', ')}.`,
      layer: stuck.length === 1 ? (stuck[0] as LayerState).layer : null,
      tags: stuck.map((s) => s.tag),
      steps: [first, last],
      evidence: { stuckLayers: names.join(', '), stuckCount: stuck.length, changingCount: moving, loggedStates: logged, stuckFromStep: first, relativeTolerance: SAME_RELATIVE, minTailStates: MIN_TAIL_STATES, minTailShare: MIN_TAIL_SHARE },
      actions: whole
        ? [
            'check optimizer.step() is called and the optimizer was given model.parameters()',
            'check the learning rate is not 0 and gradients are not all zero (T3); if the weights changed only at the first steps, a far too large first step saturated or killed every unit (T5, T6): lower the learning rate and scale the inputs (D2)',
            'check the parameters are trainable (requires_grad / trainable=True)',
          ]
        : ['if these layers should learn: set requires_grad=True / trainable=True and pass them to the optimizer', 'if they are frozen on purpose (fine-tuning), ignore this', 'check they receive a gradient (T3): a detached branch or a dead ReLU upstream stops it (T5)'],
    }),
  ];
}

/**
 * T9 Stuck parameters: warning naming the layers whose logged weights (histograms, else norms) are
 * identical within 1e-7 relative at every logged step, or from some step to the end (an identical tail
 * of >= 3 logged states and >= half of them: changed only by the first updates), while others change;
 * warning that the whole model does not update when no layer changes (including every parameter stuck
 * after a first huge step). No finding when the learning rate is ~0 over the stuck stretch: T10 reports
 * that cause (a schedule decayed to ~0, or a rate of 0). Needs >= 2 logged steps per layer.
 * @example
 * t9StuckParameters.run({ run, curves: resolveCurves(run) })[0]?.evidence.stuckLayers // 'fc1.weight'
 */
export const t9StuckParameters: Check = {
  id: 'T9',
  title: 'Stuck parameters',
  severity: 'warning',
  kind: 'live',
  description: 'Layers whose weights stop changing across logged steps (from the start, or after the first updates) while the rest of the model does, or no layer changes at all.',
  run: judge,
};
