/**
 * C1 Not learning: the training loss is flat from the start (after smoothing). Parked at a chance
 * level (ln C for C classes, ln 2 for binary) or not moving at all, it is an error: the model learns
 * nothing, usually a wiring bug (M2/M3), a learning rate far off, or frozen parameters (M7).
 */
import { decimate } from '../analysis/decimate.js';
import { finitePrefix } from '../analysis/finite-prefix.js';
import { DEAD_FLAT_CHANGE, FLAT_MAX_CHANGE, flatness } from '../analysis/flatness.js';
import { chanceLevels, parkedAt } from '../analysis/reference-levels.js';
import type { Finding } from '../findings/finding.js';
import type { Check } from './check.js';
import { makeFinding, tooLittleData } from './check.js';

/** Fewest finite points to call a loss flat: a stuck loss is certain on short (5-20 point) epoch curves, not on the first 3 points of a run being watched. */
export const C1_MIN_POINTS = 5;
/** Relative distance from a chance level (ln C) that counts as parked there. */
export const C1_REFERENCE_TOLERANCE = 0.03;

const fmt = (v: number): string => (Math.abs(v) >= 100 || Math.abs(v) < 0.01 ? v.toPrecision(3) : v.toFixed(3));

/**
 * C1: the train loss does not move from its first logged value.
 * @example
 * c1NotLearning.run({ run, curves }) // [{ check: 'C1', severity: 'error', message: 'train/loss stays flat ... ln(10) ...' }]
 */
export const c1NotLearning: Check = {
  id: 'C1',
  title: 'Not learning',
  severity: 'error',
  kind: 'log',
  description: 'Train loss flat from the start (after smoothing), or parked at a chance level such as ln(C): the model learns nothing.',
  run(ctx): Finding[] {
    const loss = ctx.curves.trainLoss;
    if (!loss) return [];
    const prefix = finitePrefix(loss);
    const n = prefix.values.length;
    if (n < C1_MIN_POINTS) {
      // A curve that turns NaN early is C6's finding, not a lack of data.
      return prefix.nonFiniteStep === null ? [tooLittleData(c1NotLearning, loss.tag, n, C1_MIN_POINTS)] : [];
    }
    const f = flatness(decimate(prefix.steps, prefix.values).values);
    if (!f || !f.flat) return [];
    const from = prefix.steps[0] as number;
    const to = prefix.steps[n - 1] as number;
    const ref = parkedAt(f.level, chanceLevels(ctx.run.meta), C1_REFERENCE_TOLERANCE);
    const atRef = ref !== null && parkedAt(f.start, [ref], 2 * C1_REFERENCE_TOLERANCE) !== null;
    const error = atRef || f.deadFlat;
    const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
    const metaRef = chanceLevels(ctx.run.meta).find((r) => r.source === 'meta') ?? null;
    const below = !atRef && metaRef !== null && f.level < metaRef.value * (1 - 2 * C1_REFERENCE_TOLERANCE);
    const where = atRef && ref
      ? `, parked at ${ref.name} = ${fmt(ref.value)}, the chance level for ${ref.classes} classes${ref.source === 'meta' ? ' (class count from the run metadata)' : ''}`
      : f.deadFlat
        ? ', it does not move at all'
        : below && metaRef
          ? `; it sits below the uniform-chance level ${metaRef.name} = ${fmt(metaRef.value)}, so it learned something before step ${from} (perhaps only the class frequencies) and then stopped`
          : '';
    const message =
      `${loss.tag} stays flat from step ${from} to ${to}: ${fmt(f.start)} -> ${fmt(f.end)} ` +
      `(${f.relativeChange >= 0 ? '-' : '+'}${pct(Math.abs(f.relativeChange))}, flat below ${pct(FLAT_MAX_CHANGE)})${where}.`;
    const actions = [
      'run `nndoctor preflight` overfit-one-batch (P1): a working model drives 1-3 examples to near-zero loss',
      'check the loss wiring: logits vs probabilities, double softmax, labels in the right format (M2, M3)',
      'check that the parameters get gradients and change (M7, T9): frozen layers, detached tensors, optimizer given the wrong parameters',
      'try learning rates 10x higher and 10x lower (P2 learning-rate range test)',
    ];
    if (below) actions.push('compare the level with the entropy of the label distribution: a model stuck there predicts the class frequencies and ignores its inputs (D8)');
    if (!error) actions.push('if the first logged point already comes after most of the learning, log from step 0 to see the start');
    return [
      makeFinding(c1NotLearning, {
        severity: error ? 'error' : 'warning',
        message,
        tags: [loss.tag],
        steps: [from, to],
        evidence: {
          startLoss: f.start,
          endLoss: f.end,
          level: f.level,
          relativeChange: f.relativeChange,
          threshold: FLAT_MAX_CHANGE,
          relativeRange: f.relativeRange,
          deadFlatThreshold: DEAD_FLAT_CHANGE,
          referenceLevel: atRef && ref ? ref.value : null,
          referenceName: atRef && ref ? ref.name : null,
          referenceTolerance: C1_REFERENCE_TOLERANCE,
          classesFromMeta: metaRef ? metaRef.classes : null,
          points: n,
        },
        actions,
      }),
    ];
  },
};
