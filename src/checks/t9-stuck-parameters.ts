/**
 * T9 Stuck parameters (log mode): layers whose weights are identical at every logged step while the
 * rest of the model changes (frozen when they should learn?), or a model none of whose layers change.
 * Reads `parameters/<layer>` histograms, else `weight_norm/<layer>` curves.
 */
import { nearlyEqual, sameHistogram } from '../analysis/histogram-stats.js';
import type { Finding } from '../findings/finding.js';
import { layerCurves, layerHistograms } from '../telemetry/layers.js';
import type { Check, CheckContext } from './check.js';
import { makeFinding } from './check.js';

/** Two logged states are "identical" within this relative tolerance on every number. */
const SAME_RELATIVE = 1e-7;

interface LayerState {
  readonly layer: string;
  readonly tag: string;
  readonly steps: readonly number[];
  readonly constant: boolean;
}

function states(ctx: CheckContext): LayerState[] {
  const out: LayerState[] = [];
  const hists = layerHistograms(ctx.run, 'parameters');
  for (const [layer, s] of hists) {
    const h0 = s.histograms[0];
    if (!h0 || new Set(s.steps).size < 2) continue;
    out.push({ layer, tag: s.tag, steps: s.steps, constant: s.histograms.every((h) => sameHistogram(h, h0, SAME_RELATIVE)) });
  }
  if (hists.size > 0) return out;
  for (const [layer, c] of layerCurves(ctx.run, 'weight_norm')) {
    const finite = c.values.filter((v) => Number.isFinite(v));
    const v0 = finite[0];
    if (v0 === undefined || c.steps.length < 2) continue;
    out.push({ layer, tag: c.tag, steps: c.steps, constant: finite.length === c.values.length && finite.every((v) => nearlyEqual(v, v0, SAME_RELATIVE)) });
  }
  return out;
}

function judge(ctx: CheckContext): Finding[] {
  const all = states(ctx);
  const stuck = all.filter((s) => s.constant);
  if (stuck.length === 0) return [];
  const moving = all.length - stuck.length;
  const first = Math.min(...stuck.map((s) => s.steps[0] as number));
  const last = Math.max(...stuck.map((s) => s.steps[s.steps.length - 1] as number));
  const names = stuck.map((s) => s.layer);
  const logged = Math.max(...stuck.map((s) => new Set(s.steps).size));
  const whole = moving === 0;
  return [
    makeFinding(t9StuckParameters, {
      severity: 'warning',
      ...(whole ? { title: 'Stuck parameters: the model does not update' } : {}),
      message: whole
        ? `None of the ${all.length} logged layers changed between steps ${first} and ${last} (${logged} logged states, identical within ${SAME_RELATIVE} relative): the model does not update.`
        : `${stuck.length} of ${all.length} layers never changed between steps ${first} and ${last} while the other ${moving} did: ${names.join(', ')}.`,
      layer: stuck.length === 1 ? (stuck[0] as LayerState).layer : null,
      tags: stuck.map((s) => s.tag),
      steps: [first, last],
      evidence: { stuckLayers: names.join(', '), stuckCount: stuck.length, changingCount: moving, loggedStates: logged, relativeTolerance: SAME_RELATIVE },
      actions: whole
        ? ['check optimizer.step() is called and the optimizer was given model.parameters()', 'check the learning rate is not 0 and gradients are not all zero (T3)', 'check the parameters are trainable (requires_grad / trainable=True)']
        : ['if these layers should learn: set requires_grad=True / trainable=True and pass them to the optimizer', 'if they are frozen on purpose (fine-tuning), ignore this', 'check they receive a gradient (T3): a detached branch or a dead ReLU upstream stops it'],
    }),
  ];
}

/**
 * T9 Stuck parameters: warning naming the layers whose logged weights (histograms, else norms) are
 * identical within 1e-7 relative at every step while others change; warning that the whole model does
 * not update when no layer changes. Needs >= 2 logged steps per layer.
 * @example
 * t9StuckParameters.run({ run, curves: resolveCurves(run) })[0]?.evidence.stuckLayers // 'fc1.weight'
 */
export const t9StuckParameters: Check = {
  id: 'T9',
  title: 'Stuck parameters',
  severity: 'warning',
  kind: 'live',
  description: 'Layers whose weights never change across logged steps while the rest of the model does (or no layer changes at all).',
  run: judge,
};
