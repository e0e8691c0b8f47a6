/**
 * M1 Activation right before softmax (static): a separate softmax layer fed by a layer that already
 * squashed its output (ReLU, sigmoid, softplus...). The softmax then sees only non-negative or bounded
 * logits: negative evidence for a class is thrown away and confident predictions become impossible or
 * very slow to learn.
 */
import { makeFinding } from '../../checks/check.js';
import type { Finding, Severity } from '../../findings/finding.js';
import { softmaxSites } from './model-graph.js';
import type { Probe, ProbeContext } from './probe.js';
import { outputUnits } from './targets.js';
import { round } from './tensor-stats.js';

/** Activations that discard sign information (non-negative outputs or (0, 1)): error. */
const SIGN_DISCARDING = new Set(['relu', 'relu6', 'sigmoid', 'hardsigmoid', 'softplus', 'thresholdedrelu']);
/** Activations that bound the logits (the softmax cannot get confident): warning. */
const BOUNDING = new Set(['tanh', 'softsign', 'elu', 'selu']);
/** Bounds of the logits each activation allows, for the max-probability evidence. */
const RANGE: Record<string, readonly [number, number]> = {
  relu6: [0, 6],
  sigmoid: [0, 1],
  hardsigmoid: [0, 1],
  tanh: [-1, 1],
  softsign: [-1, 1],
};

/** Highest softmax probability reachable with logits in [lo, hi] and `c` classes. */
const maxProbability = (lo: number, hi: number, c: number): number => Math.exp(hi) / (Math.exp(hi) + (c - 1) * Math.exp(lo));

async function run(ctx: ProbeContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const site of softmaxSites(ctx.model)) {
    const act = site.feederActivation;
    if (act === null) continue;
    const discards = SIGN_DISCARDING.has(act);
    if (!discards && !BOUNDING.has(act)) continue;
    const severity: Severity = discards ? 'error' : 'warning';
    const units = site.layer.outputShape && Array.isArray(site.layer.outputShape) ? (site.layer.outputShape[site.layer.outputShape.length - 1] as number | null) : outputUnits(ctx.model);
    const range = RANGE[act];
    const pMax = range && typeof units === 'number' && units > 1 ? maxProbability(range[0], range[1], units) : null;
    const why = discards
      ? act === 'sigmoid' || act === 'hardsigmoid'
        ? 'squashes the logits into (0, 1)'
        : 'clips negative logits to 0, so "not this class" cannot be expressed and dead units give equal scores'
      : 'bounds the logits';
    findings.push(
      makeFinding(m1ActivationBeforeSoftmax, {
        severity,
        message:
          `${site.feeder.name} (${site.feeder.getClassName()}) applies ${act} right before the softmax in ${site.layer.name}: it ${why}. ` +
          (pMax !== null ? `With ${units} classes the softmax can output at most p = ${round(pMax, 3)}, so the loss can never approach 0. ` : '') +
          'Learning becomes very hard.',
        layer: site.feeder.name,
        evidence: {
          softmaxLayer: site.layer.name,
          feedingLayer: site.feeder.name,
          feedingClass: site.feeder.getClassName(),
          activation: act,
          classes: typeof units === 'number' ? units : null,
          maxSoftmaxProbability: pMax === null ? null : round(pMax),
        },
        actions: [
          `remove the ${act} from ${site.feeder.name}: the layer feeding a softmax must be linear (activation: 'linear')`,
          `or fold the softmax into it: tf.layers.dense({units: ${typeof units === 'number' ? units : 'C'}, activation: 'softmax'})`,
        ],
      }),
    );
  }
  return findings;
}

/**
 * M1 Activation right before softmax (static): for every softmax applied by its own layer
 * (`tf.layers.activation({activation: 'softmax'})`, `tf.layers.softmax()`), reads the activation of
 * the layer feeding it (dropout/flatten/reshape skipped). Error for ReLU/ReLU6/sigmoid/hard-sigmoid/
 * softplus (sign information lost), warning for tanh/softsign/ELU/SELU (bounded logits; evidence gives
 * the highest probability reachable). A Dense with `activation: 'softmax'` is fine whatever feeds it.
 * @example
 * const [f] = await m1ActivationBeforeSoftmax.run(ctx); f?.layer // 'dense_Dense2'
 */
export const m1ActivationBeforeSoftmax: Probe = {
  id: 'M1',
  title: 'Activation right before softmax',
  severity: 'error',
  kind: 'probe',
  description: 'Static: a ReLU/sigmoid (or other squashing activation) feeding a separate softmax layer discards sign information of the logits.',
  budgetMs: 1_000,
  run,
};
