/**
 * D8 Input-independent baseline: trains one clone on the real inputs and another on all-zero inputs
 * (same initial weights, same batches in the same order, same number of steps). The real-input model
 * must reach a clearly lower loss; if it does not, the model is not using its input (a frozen or
 * zeroed layer, a wiring bug, inputs that carry no signal).
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import type { Finding, Severity } from '../../findings/finding.js';
import { permutation, sampleRows } from './batches.js';
import { cloneModel } from './clone-model.js';
import type { Probe, ProbeContext } from './probe.js';
import { compileProbe, deadline, disposeModel, evaluateLoss, exampleCount, takeRows, trainEpochs } from './probe-kit.js';
import { trainingTargets } from './targets.js';
import { round } from './tensor-stats.js';

/** Most training rows used (a seeded sample). */
const MAX_ROWS = 256;
/** Most epochs over those rows (each model). */
const MAX_EPOCHS = 40;
/** Epochs between early-exit checks (the real-input model already twice the margin ahead: pass). */
const CHECK_EVERY = 5;
/** Share of the budget for training (the rest: cloning and evaluation). */
const TRAIN_SHARE = 0.85;
/** The real-input model must end at least REL_LOWER below the zero-input loss (relative)... */
const REL_LOWER = 0.1;
/** ...or the inputs must account for at least SHARE_MIN of the real model's drop from the initial loss. */
const SHARE_MIN = 0.5;
/** Below this relative gap the inputs make no difference at all: error instead of warning. */
const REL_ERROR = 0.02;
/** The real-input model must drop at least this share of its initial loss for a verdict. */
const MIN_LEARNED = 0.02;

async function run(ctx: ProbeContext): Promise<Finding[]> {
  const clock = deadline(ctx);
  const n = exampleCount(ctx.data.x);
  if (n === 0) return [];
  const rows = sampleRows(n, MAX_ROWS, ctx.seed);
  const x = takeRows(ctx.data.x, rows);
  const rawY = takeRows(ctx.data.y, rows);
  const { y, spec } = trainingTargets(ctx.model, rawY, ctx.training);
  tf.dispose(rawY);
  const zeros = x.map((t) => tf.zerosLike(t));
  let real: tf.LayersModel | null = null;
  let blind: tf.LayersModel | null = null;
  try {
    real = await cloneModel(ctx.model);
    blind = await cloneModel(ctx.model);
    compileProbe(real, spec);
    compileProbe(blind, spec);
    const initialReal = evaluateLoss(real, x, y, spec).total;
    const initialBlind = evaluateLoss(blind, zeros, y, spec).total;
    const trainClock = deadline(ctx, TRAIN_SHARE);
    const batchSize = Math.max(1, Math.min(ctx.training.batchSize, rows.length));
    let epochs = 0;
    while (epochs < MAX_EPOCHS && !trainClock.over() && !clock.over()) {
      const order = permutation(rows.length, ctx.seed + 7919 * (epochs + 1));
      await trainEpochs(real, x, y, { epochs: 1, batchSize, order: () => order });
      await trainEpochs(blind, zeros, y, { epochs: 1, batchSize, order: () => order });
      epochs++;
      ctx.progress?.(epochs / MAX_EPOCHS);
      if (epochs % CHECK_EVERY === 0) {
        // Stop early once the inputs clearly help: the verdict can only be "passes".
        const r = evaluateLoss(real, x, y, spec).total;
        const b = evaluateLoss(blind, zeros, y, spec).total;
        if (initialReal - r >= MIN_LEARNED * Math.abs(initialReal) && (b - r) / Math.max(Math.abs(b), 1e-12) >= 2 * REL_LOWER) break;
      }
    }
    const finalReal = evaluateLoss(real, x, y, spec).total;
    const finalBlind = evaluateLoss(blind, zeros, y, spec).total;
    const steps = epochs * Math.ceil(rows.length / batchSize);
    const learned = initialReal - finalReal;
    const gap = finalBlind - finalReal;
    const relLower = gap / Math.max(Math.abs(finalBlind), 1e-12);
    const share = gap / Math.max(learned, 1e-12);
    const cutShort = epochs < MAX_EPOCHS && (trainClock.over() || clock.over());
    const evidence = {
      initialLoss: round(initialReal),
      initialLossZeroInputs: round(initialBlind),
      finalLossRealInputs: round(finalReal),
      finalLossZeroInputs: round(finalBlind),
      relativeGap: round(relLower),
      relativeGapThreshold: REL_LOWER,
      errorBelow: REL_ERROR,
      shareOfDropFromInputs: round(share),
      shareThreshold: SHARE_MIN,
      epochs,
      steps,
      rows: rows.length,
      batchSize,
      cutShort,
    };
    if (!Number.isFinite(finalReal) || !Number.isFinite(finalBlind)) {
      return [
        makeFinding(d8InputIndependent, {
          severity: 'info',
          title: `${d8InputIndependent.title}: inconclusive`,
          message: `Training the baselines produced a non-finite loss (real inputs ${finalReal}, zero inputs ${finalBlind}); D8 cannot judge. See D1 and T1.`,
          evidence,
          actions: ['fix non-finite losses first (D1 for the data, a lower learning rate)'],
        }),
      ];
    }
    // Without learning on real inputs any gap is only the difference between the two starts.
    if (learned < MIN_LEARNED * Math.abs(initialReal)) {
      return [
        makeFinding(d8InputIndependent, {
          severity: 'info',
          title: `${d8InputIndependent.title}: inconclusive`,
          message: `In ${steps} steps (${epochs} epochs over ${rows.length} examples) the model did not learn on real inputs either (loss ${round(initialReal, 4)} -> ${round(finalReal, 4)}), so D8 cannot tell whether it uses its input.${cutShort ? ' The budget cut training short.' : ''}`,
          evidence,
          actions: ['run P1 (overfit one tiny batch) first', 'raise the D8 budget or the learning rate'],
        }),
      ];
    }
    if (relLower >= REL_LOWER || share >= SHARE_MIN) return [];
    const severity: Severity = relLower < REL_ERROR ? 'error' : 'warning';
    return [
      makeFinding(d8InputIndependent, {
        severity,
        message:
          `Trained on all-zero inputs the model reaches loss ${round(finalBlind, 4)}; on the real inputs ${round(finalReal, 4)} (${round(relLower * 100, 3)}% lower, threshold ${REL_LOWER * 100}%), from ${round(initialReal, 4)} at the start, ` +
          `after ${steps} identical steps. The inputs account for only ${round(Math.max(0, share) * 100, 3)}% of the drop: ${severity === 'error' ? 'the model ignores its input' : 'the model barely uses its input'}; it learns little beyond the label prior.`,
        evidence,
        actions: [
          'look for a layer that blocks the input: frozen zero weights, a multiply by 0, a wrong input tensor wired into the model',
          'check that x and y are aligned (the same example order) and that the inputs actually vary (D7)',
          'check the preprocessing does not wipe the signal (e.g. scaling by a huge constant, D2)',
        ],
      }),
    ];
  } finally {
    disposeModel(real);
    disposeModel(blind);
    tf.dispose([...x, ...y, ...zeros]);
  }
}

/**
 * D8 Input-independent baseline: trains a clone on the real inputs and a clone on zeroed inputs (up to
 * 256 rows, same initial weights, same seeded batch order, up to 40 epochs within the budget). Passes
 * when the real-input loss ends >= 10% below the zero-input loss, or the inputs account for >= 50% of
 * the drop from the initial loss; otherwise a warning (error when the gap is < 2%): the model ignores
 * its input. Info when the real-input model does not learn at all (see P1).
 * @example
 * const [f] = await d8InputIndependent.run(ctx); f?.evidence.finalLossZeroInputs
 */
export const d8InputIndependent: Probe = {
  id: 'D8',
  title: 'Input-independent baseline',
  severity: 'error',
  kind: 'probe',
  description: 'Trains one clone on real inputs and one on zeroed inputs with identical steps; the real-input loss must be clearly lower, else the model ignores its input.',
  budgetMs: 20_000,
  run,
};
