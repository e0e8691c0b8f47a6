/**
 * P8 early stopping / best checkpoint: trains a clone with a validation split (the given validation
 * data, else a seeded random 20% of the rows) for up to 30 epochs, and reports the best epoch by validation
 * loss, whether the validation loss rose after it, and the early-stopping patience that would have
 * kept the best checkpoint without stopping on an earlier plateau.
 */
import { makeFinding } from '../../checks/check.js';
import { cloneModel } from './clone-model.js';
import type { Probe } from './probe.js';
import { compileProbe, deadline, disposeModel, disposeSplit, evaluateLoss, exampleCount, round, trainEpochs, trainValSplit } from './probe-kit.js';

const META = { id: 'P8', title: 'Early stopping / best checkpoint' } as const;
const MAX_EPOCHS = 30;
/** The final validation loss this far above the best is worth stopping for. */
const RISE = 0.1;

/** What early stopping would have done on a validation curve. */
export interface EarlyStoppingPlan {
  /** 1-based epoch with the lowest validation loss. */
  readonly bestEpoch: number;
  readonly bestLoss: number;
  /** (last - best) / best. */
  readonly riseAfterBest: number;
  /** Smallest patience that does not stop before the best epoch (Keras EarlyStopping semantics, min_delta 0). */
  readonly patience: number;
  /** Epoch where that patience stops training, or null when training ended first. */
  readonly stopsAtEpoch: number | null;
}

/**
 * Reads a validation-loss curve (one value per epoch).
 * @example
 * planEarlyStopping([1, 0.8, 0.82, 0.7, 0.75, 0.9]) // best epoch 4, patience 2, stops at 6
 */
export function planEarlyStopping(val: readonly number[]): EarlyStoppingPlan {
  let best = Infinity;
  let bestEpoch = 0;
  let streak = 0;
  let longest = 0;
  val.forEach((v, i) => {
    if (v < best) {
      longest = Math.max(longest, streak);
      best = v;
      bestEpoch = i + 1;
      streak = 0;
    } else streak++;
  });
  const patience = longest + 1;
  const last = val[val.length - 1] ?? best;
  const stop = bestEpoch + patience;
  return { bestEpoch, bestLoss: best, riseAfterBest: best > 0 ? (last - best) / best : 0, patience, stopsAtEpoch: stop <= val.length ? stop : null };
}

export const p8EarlyStopping: Probe = {
  ...META,
  severity: 'warning',
  kind: 'probe',
  description:
    'Trains a clone with a validation split for up to 30 epochs and reports the best epoch by validation loss, whether the loss rose after it, and the early-stopping patience that would have stopped there and kept the best checkpoint.',
  budgetMs: 6000,
  async run(ctx) {
    const clock = deadline(ctx);
    const split = trainValSplit(ctx.data, 0.2, ctx.seed);
    const clone = await cloneModel(ctx.model);
    const val: number[] = [];
    let train: number[] = [];
    try {
      compileProbe(clone, ctx.training);
      train = await trainEpochs(clone, split.x, split.y, {
        epochs: MAX_EPOCHS,
        batchSize: ctx.training.batchSize,
        deadline: clock,
        seed: ctx.seed,
        onEpoch: (e) => {
          val.push(evaluateLoss(clone, split.xVal, split.yVal, ctx.training).total);
          ctx.progress?.((e + 1) / MAX_EPOCHS);
        },
      });
    } finally {
      disposeModel(clone);
    }
    const valRows = exampleCount(split.xVal);
    disposeSplit(split);
    ctx.progress?.(1);
    if (val.length < 3) {
      return [
        makeFinding(META, {
          severity: 'info',
          title: `${META.title}: too little data`,
          message: `only ${val.length} epoch(s) fitted in the time budget; P8 needs at least 3 to judge.`,
          evidence: { insufficientData: true, epochs: val.length, needed: 3 },
          actions: ['give the preflight a larger --budget'],
        }),
      ];
    }
    const plan = planEarlyStopping(val);
    const evidence = {
      epochs: val.length,
      valLossPerEpoch: val.map((v) => round(v)),
      trainLossPerEpoch: train.map((v) => round(v)),
      bestEpoch: plan.bestEpoch,
      bestValLoss: round(plan.bestLoss),
      finalValLoss: round(val[val.length - 1]!),
      riseAfterBest: round(plan.riseAfterBest),
      riseThreshold: RISE,
      patience: plan.patience,
      stopsAtEpoch: plan.stopsAtEpoch,
      valRows,
      validation: ctx.data.xVal ? 'given validation data' : 'a seeded random 20% of the training rows',
    };
    if (plan.bestEpoch < val.length && plan.riseAfterBest > RISE) {
      return [
        makeFinding(META, {
          severity: 'warning',
          title: 'Validation loss rises after the best epoch',
          message: `the validation loss was best at epoch ${plan.bestEpoch} (${round(plan.bestLoss, 4)}) and ended ${round(plan.riseAfterBest * 100, 3)}% higher at epoch ${val.length}; early stopping with patience ${plan.patience} would have stopped at epoch ${plan.stopsAtEpoch ?? '—'} and kept the best weights.`,
          steps: [plan.bestEpoch, val.length],
          evidence,
          actions: [
            `use early stopping on val loss with patience ${plan.patience} and restore the best weights (tf.callbacks.earlyStopping({ monitor: 'val_loss', patience: ${plan.patience} }) plus a best-checkpoint save)`,
            'or regularise more (dropout, weight decay, more data) so the gap opens later (see C3)',
          ],
        }),
      ];
    }
    return [
      makeFinding(META, {
        severity: 'info',
        message:
          plan.bestEpoch === val.length
            ? `the validation loss was still improving at epoch ${val.length} (${round(plan.bestLoss, 4)}): no early stop in this window; patience ${plan.patience} keeps the best checkpoint so far.`
            : `best validation loss at epoch ${plan.bestEpoch} of ${val.length} (${round(plan.bestLoss, 4)}), rising only ${round(plan.riseAfterBest * 100, 3)}% after it; patience ${plan.patience} keeps the best checkpoint.`,
        steps: [plan.bestEpoch, plan.bestEpoch],
        evidence,
        actions: [`keep a best-checkpoint callback with patience ${plan.patience} as a safety net`],
      }),
    ];
  },
};
