/**
 * T10 Learning-rate schedule: a decay schedule drove the learning rate to ~0 long before the end of the
 * run, so the remaining steps cost time and change nothing. Reaching ~0 exactly at the last step (linear
 * or cosine decay to 0) is by design, and so is a warm-up from 0 at the start.
 */
import { LR_NEAR_ZERO_ABSOLUTE, LR_NEAR_ZERO_RELATIVE, lrNearZeroThreshold } from '../analysis/lr-events.js';
import type { Finding } from '../findings/finding.js';
import type { Check, CheckContext } from './check.js';
import { makeFinding } from './check.js';

/** Reaching ~0 before this share of the run (and staying there) is too early. */
const EARLY_SHARE = 0.8;

const round = (x: number): number => Number(x.toPrecision(3));

function judge(ctx: CheckContext): Finding[] {
  const lr = ctx.curves.lr;
  if (!lr) return [];
  const steps: number[] = [];
  const values: number[] = [];
  lr.values.forEach((v, i) => {
    if (Number.isFinite(v)) {
      steps.push(lr.steps[i] as number);
      values.push(v);
    }
  });
  if (values.length < 2) return [];
  const first = steps[0] as number;
  // The run ends where the last curve ends (the lr may be logged less often than the loss).
  const lastLoss = ctx.curves.trainLoss?.steps.at(-1);
  const end = Math.max(steps[steps.length - 1] as number, lr.unit === ctx.curves.trainLoss?.unit && lastLoss !== undefined ? lastLoss : -Infinity);
  const peak = values.reduce((a, b) => Math.max(a, b), -Infinity);
  const tags = [lr.tag];
  const negative = values.findIndex((v) => v < 0);
  if (negative >= 0) {
    const from = steps[negative] as number;
    return [
      makeFinding(t10LrSchedule, {
        severity: 'error',
        message: `${lr.tag} is negative (${round(values[negative] as number)}) from step ${from}: every update moves the weights up the gradient, so the optimiser climbs the loss (gradient ascent).`,
        tags,
        steps: [from, end],
        evidence: { negativeFrom: from, lrAtNegative: values[negative] as number, negativePoints: values.filter((v) => v < 0).length, points: values.length },
        actions: ['make the learning rate positive (the optimiser subtracts lr x gradient)', 'check a hand-written update for a += where -= belongs, or a loss negated twice'],
      }),
    ];
  }
  if (peak <= 0) {
    return [
      makeFinding(t10LrSchedule, {
        severity: 'warning',
        message: `${lr.tag} is ${round(peak)} at every logged step (${first}-${end}): the optimiser never moves the weights.`,
        tags,
        steps: [first, end],
        evidence: { peakLr: peak, points: values.length },
        actions: ['set a positive learning rate (e.g. 1e-3 for Adam, 0.1 for SGD with momentum)', 'check the scheduler is stepped with the right argument'],
      }),
    ];
  }
  const threshold = lrNearZeroThreshold(peak);
  const peakIndex = values.indexOf(peak);
  // First index after the peak from which the lr stays ~0 until the end (a warm restart resets it).
  let zeroFrom = -1;
  for (let i = values.length - 1; i > peakIndex; i--) {
    if ((values[i] as number) < threshold) zeroFrom = i;
    else break;
  }
  if (zeroFrom < 0) return [];
  const zeroStep = steps[zeroFrom] as number;
  const share = end > first ? (zeroStep - first) / (end - first) : 1;
  if (share >= EARLY_SHARE) return [];
  const wasted = 1 - share;
  return [
    makeFinding(t10LrSchedule, {
      severity: 'warning',
      message:
        `${lr.tag} fell to ${round(values[zeroFrom] as number)} (< ${round(threshold)}, ~0) at step ${zeroStep}, ` +
        `${(share * 100).toFixed(0)}% into the run, and stayed there: the last ${(wasted * 100).toFixed(0)}% of the steps (to ${end}) barely train.`,
      tags,
      steps: [zeroStep, end],
      evidence: {
        zeroStep,
        lrAtZeroStep: values[zeroFrom] as number,
        peakLr: peak,
        nearZeroThreshold: threshold,
        nearZeroRelative: LR_NEAR_ZERO_RELATIVE,
        nearZeroAbsolute: LR_NEAR_ZERO_ABSOLUTE,
        runShareAtZero: round(share),
        earlyShareThreshold: EARLY_SHARE,
        lastStep: end,
      },
      actions: [
        'set the schedule length to the real number of steps (e.g. T_max / num_training_steps = epochs x steps per epoch)',
        'decay more slowly (larger decay_steps, gamma closer to 1) or set a floor (eta_min / min_lr ~1% of the peak)',
        'or stop the run earlier: the steps after this point cost time without changing the model',
      ],
    }),
  ];
}

/**
 * T10 Learning-rate schedule, from the lr curve. Warning when, after its peak, the lr falls below
 * max(1% of the peak, 1e-7) and stays there from before 80% of the run; quiet for decay to 0 at the
 * end, warm-up from 0, and warm restarts. Error when the lr is negative (the optimiser climbs the loss).
 * @example
 * t10LrSchedule.run({ run, curves: resolveCurves(run) })[0]?.evidence.zeroStep // 4400
 */
export const t10LrSchedule: Check = {
  id: 'T10',
  title: 'Learning-rate schedule',
  severity: 'warning',
  kind: 'live',
  description: 'The learning-rate schedule reaches ~0 long before the last step, so the rest of the run does not train; or the learning rate is negative (gradient ascent).',
  run: judge,
};
