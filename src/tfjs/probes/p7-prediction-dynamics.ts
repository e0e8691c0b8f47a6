/**
 * P7 prediction dynamics: trains a clone for a few epochs and after each one records its predictions
 * on a fixed batch of up to 8 examples drawn with the seed (validation rows when given). Progress (loss and accuracy on
 * that batch) and jitter (class flips, or mean change of regression outputs, between epochs) go into
 * the evidence. Predictions that are the same for every example (collapse to a constant) or that keep
 * flipping late in training are warnings.
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import { cloneModel } from './clone-model.js';
import type { Probe } from './probe.js';
import { asArray, classIndices, compileProbe, deadline, disposeModel, evaluateLoss, exampleCount, isClassificationLoss, lossNames, round, sampleRows, takeRows, trainEpochs, unwrap } from './probe-kit.js';

const META = { id: 'P7', title: 'Prediction dynamics' } as const;
const BATCH = 8;
const MAX_EPOCHS = 10;
/** Late flips above this share of the batch per epoch are jitter. */
const FLIPS = 0.25;

interface Snapshot {
  readonly classes: number[];
  readonly values: number[];
  readonly loss: number;
  /** Spread of the raw outputs across examples (max over units of the std). */
  readonly spread: number;
}

export const p7PredictionDynamics: Probe = {
  ...META,
  severity: 'warning',
  kind: 'probe',
  description:
    'Trains a clone for a few epochs and records predictions on a fixed batch of 8 after each: loss and accuracy on the batch show progress, class flips or output changes show jitter; collapsed (identical) or late-flipping predictions are warnings.',
  budgetMs: 4000,
  async run(ctx) {
    const clock = deadline(ctx);
    const source = ctx.data.xVal && ctx.data.yVal && exampleCount(ctx.data.xVal) > 0 ? { x: ctx.data.xVal, y: ctx.data.yVal, from: 'validation' } : { x: ctx.data.x, y: ctx.data.y, from: 'training' };
    const picked = sampleRows(exampleCount(source.x), BATCH, ctx.seed);
    const rows = picked.length;
    const bx = takeRows(source.x, picked);
    const by = takeRows(source.y, picked);
    const loss = lossNames(ctx.training, 1)[0]!;
    const classification = isClassificationLoss(loss);
    const fromLogits = ctx.training.fromLogits === true;
    const labels = classification ? classIndices(by[0]!, loss, fromLogits, true) : Array.from(by[0]!.reshape([rows, -1]).slice([0, 0], [rows, 1]).dataSync()).map((v) => round(v, 4));
    const clone = await cloneModel(ctx.model);
    const snapshots: Snapshot[] = [];
    const snap = (): Snapshot => {
      const out = asArray(clone.predict(unwrap(bx)) as tf.Tensor | tf.Tensor[]);
      const first = out[0]!;
      const values = tf.tidy(() => Array.from(first.reshape([rows, -1]).slice([0, 0], [rows, 1]).dataSync()).map((v) => round(v, 4)));
      const spread = tf.tidy(() => (rows < 2 ? 0 : tf.max(tf.moments(first.reshape([rows, -1]), 0).variance.sqrt()).dataSync()[0]!));
      const classes = classification ? classIndices(first, loss, fromLogits, false) : [];
      tf.dispose(out);
      return { classes, values, spread, loss: evaluateLoss(clone, bx, by, ctx.training).total };
    };
    try {
      compileProbe(clone, ctx.training);
      snapshots.push(snap());
      await trainEpochs(clone, ctx.data.x, ctx.data.y, {
        epochs: MAX_EPOCHS,
        batchSize: ctx.training.batchSize,
        deadline: clock,
        seed: ctx.seed,
        onEpoch: (e) => {
          snapshots.push(snap());
          ctx.progress?.((e + 1) / MAX_EPOCHS);
        },
      });
    } finally {
      disposeModel(clone);
      tf.dispose([...bx, ...by]);
    }
    ctx.progress?.(1);
    const epochs = snapshots.length - 1;
    const last = snapshots[snapshots.length - 1]!;
    const flips = snapshots.slice(1).map((s, i) => (classification ? s.classes.filter((c, k) => c !== snapshots[i]!.classes[k]).length / rows : 0));
    const changes = snapshots.slice(1).map((s, i) => s.values.reduce((acc, v, k) => acc + Math.abs(v - snapshots[i]!.values[k]!), 0) / rows);
    const accuracy = classification ? snapshots.map((s) => s.classes.filter((c, k) => c === labels[k]).length / rows) : [];
    const late = flips.slice(Math.floor(flips.length / 2));
    const lateFlips = late.length > 0 ? late.reduce((a, b) => a + b, 0) / late.length : 0;
    const distinctLabels = new Set(labels).size;
    const collapsed = rows >= 2 && distinctLabels > 1 && last.spread < 1e-4;
    const evidence = {
      batch: rows,
      batchFrom: source.from,
      epochs,
      batchLossPerEpoch: snapshots.map((s) => round(s.loss)),
      ...(classification ? { accuracyPerEpoch: accuracy.map((a) => round(a, 3)), flipsPerEpoch: flips.map((f) => round(f, 3)) } : { meanChangePerEpoch: changes.map((c) => round(c, 4)) }),
      labels,
      predictions: classification ? last.classes : last.values,
      outputSpreadAcrossExamples: round(last.spread),
    };
    const progress = `batch loss ${round(snapshots[0]!.loss, 4)} -> ${round(last.loss, 4)} over ${epochs} epoch(s)${classification ? `, accuracy ${round(accuracy[0]!, 3)} -> ${round(accuracy[accuracy.length - 1]!, 3)}` : ''}`;
    if (collapsed) {
      return [
        makeFinding(META, {
          severity: 'warning',
          title: 'Predictions collapse to a constant',
          message: `after ${epochs} epoch(s) the model gives the same output for every example of the batch (spread ${round(last.spread, 3)}) although the labels differ: it ignores its input (${progress}).`,
          evidence,
          actions: ['check initialisation (all-zero weights, M5) and frozen or dead layers (M7)', 'check the input actually reaches the model (D8: zeroed inputs should do worse)'],
        }),
      ];
    }
    if (classification && epochs >= 4 && lateFlips > FLIPS) {
      return [
        makeFinding(META, {
          severity: 'warning',
          title: 'Predictions keep flipping',
          message: `in the second half of training ${round(lateFlips * 100, 3)}% of the fixed batch changes class every epoch (threshold ${FLIPS * 100}%): the updates are too large to settle (${progress}).`,
          evidence: { ...evidence, lateFlipShare: round(lateFlips, 3), threshold: FLIPS },
          actions: ['lower the learning rate (see P2) or raise the batch size', 'add a learning-rate decay once the loss stops falling'],
        }),
      ];
    }
    return [
      makeFinding(META, {
        severity: 'info',
        message: `${progress}; labels [${labels.join(', ')}] vs predictions [${(classification ? last.classes : last.values).join(', ')}].`,
        evidence,
        actions: ['nothing to fix; use these numbers to compare runs'],
      }),
    ];
  },
};
