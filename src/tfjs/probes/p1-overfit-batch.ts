/**
 * P1 overfit one tiny batch: a clone trained on 1-3 examples must drive their loss to near zero.
 * If it cannot (even with Adam at 1e-2 as a second attempt), something in the model, the loss wiring
 * or the labels is broken. Labels and predictions are shown in the evidence either way.
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import { cloneModel } from './clone-model.js';
import type { Probe, TrainingSpec } from './probe.js';
import { asArray, breathe, classIndices, compileProbe, deadline, disposeModel, evaluateLoss, exampleCount, firstValues, isClassificationLoss, lossNames, round, takeRows, unwrap } from './probe-kit.js';

const META = { id: 'P1', title: 'Overfit one tiny batch' } as const;
const EXAMPLES = 3;
const MAX_STEPS = 400;

/** Up to 3 rows, with distinct classes when the task is classification. */
function pickRows(y: tf.Tensor, spec: TrainingSpec, n: number): number[] {
  const k = Math.min(EXAMPLES, n);
  const loss = lossNames(spec, 1)[0]!;
  if (!isClassificationLoss(loss)) return Array.from({ length: k }, (_v, i) => i);
  const head = y.slice(0, Math.min(n, 512));
  const labels = classIndices(head, loss, spec.fromLogits === true, true);
  head.dispose();
  const rows: number[] = [];
  const seen = new Set<number>();
  labels.forEach((c, i) => {
    if (rows.length < k && !seen.has(c)) {
      seen.add(c);
      rows.push(i);
    }
  });
  for (let i = 0; rows.length < k && i < n; i++) if (!rows.includes(i)) rows.push(i);
  return rows;
}

export const p1OverfitBatch: Probe = {
  ...META,
  severity: 'error',
  kind: 'probe',
  description:
    'Trains a clone on 1-3 examples until their loss is near zero (a second attempt uses Adam at 1e-2); failing means a bug in the model, the loss wiring or the labels. Shows labels vs predictions either way.',
  budgetMs: 5000,
  async run(ctx) {
    const clock = deadline(ctx);
    const n = exampleCount(ctx.data.x);
    const yFirst = asArray(ctx.data.y)[0]!;
    const rows = pickRows(yFirst, ctx.training, n);
    const x = takeRows(ctx.data.x, rows);
    const y = takeRows(ctx.data.y, rows);
    const loss = lossNames(ctx.training, 1)[0]!;
    const classification = isClassificationLoss(loss);
    const attempts: Array<{ optimizer: TrainingSpec['optimizer']; learningRate: number }> = [{ optimizer: ctx.training.optimizer, learningRate: ctx.training.learningRate }];
    if (!(ctx.training.optimizer === 'adam' && ctx.training.learningRate === 1e-2)) attempts.push({ optimizer: 'adam', learningRate: 1e-2 });
    let last: { initial: number; final: number; steps: number; ok: boolean; attempt: number; labels: number[]; predictions: number[] } | null = null;
    try {
      for (const [a, attempt] of attempts.entries()) {
        if (clock.over()) break;
        const share = deadline({ budgetMs: clock.left() / (attempts.length - a), ...(ctx.signal ? { signal: ctx.signal } : {}) });
        const clone = await cloneModel(ctx.model);
        try {
          compileProbe(clone, ctx.training, attempt);
          const initial = evaluateLoss(clone, x, y, ctx.training).total;
          const threshold = classification ? 0.05 : Math.max(1e-3, 0.01 * initial);
          const done = (): { final: number; ok: boolean; predictions: number[]; labels: number[] } => {
            const final = evaluateLoss(clone, x, y, ctx.training).total;
            const pred = asArray(clone.predict(unwrap(x)) as tf.Tensor | tf.Tensor[]);
            const predictions = classification ? classIndices(pred[0]!, loss, ctx.training.fromLogits === true, false) : firstValues(pred[0]!, 12);
            const labels = classification ? classIndices(y[0]!, loss, ctx.training.fromLogits === true, true) : firstValues(y[0]!, 12);
            tf.dispose(pred);
            const correct = !classification || predictions.every((p, i) => p === labels[i]);
            return { final, ok: Number.isFinite(final) && final <= threshold && correct, predictions, labels };
          };
          let steps = 0;
          let state = done();
          while (!state.ok && steps < MAX_STEPS && !share.over()) {
            for (let s = 0; s < 10; s++) await clone.trainOnBatch(unwrap(x), unwrap(y));
            steps += 10;
            state = done();
            if (!Number.isFinite(state.final)) break;
            ctx.progress?.(Math.min(1, (a + steps / MAX_STEPS) / attempts.length));
            await breathe();
          }
          last = { initial, final: state.final, steps, ok: state.ok, attempt: a, labels: state.labels, predictions: state.predictions };
          if (state.ok) break;
        } finally {
          disposeModel(clone);
        }
      }
      ctx.progress?.(1);
      if (!last) return [];
      const used = attempts[last.attempt]!;
      const evidence = {
        examples: rows.length,
        rows: rows,
        labels: last.labels,
        predictions: last.predictions,
        initialLoss: round(last.initial),
        finalLoss: round(last.final),
        threshold: classification ? 0.05 : round(Math.max(1e-3, 0.01 * last.initial)),
        steps: last.steps,
        optimizer: `${used.optimizer} lr ${used.learningRate}`,
      };
      const shown = `labels [${last.labels.join(', ')}] vs predictions [${last.predictions.join(', ')}]`;
      if (last.ok && last.attempt === 0) {
        return [
          makeFinding(META, {
            severity: 'info',
            message: `a clone fitted ${rows.length} example(s) in ${last.steps} steps: loss ${round(last.initial, 4)} -> ${round(last.final, 4)}; ${shown}.`,
            evidence,
            actions: ['nothing to fix here; the model can learn and the loss is wired to the labels'],
          }),
        ];
      }
      if (last.ok) {
        return [
          makeFinding(META, {
            severity: 'warning',
            title: 'Overfits a tiny batch only with a faster optimizer',
            message: `with ${ctx.training.optimizer} at ${ctx.training.learningRate} ${rows.length} example(s) were not fitted within the budget, with adam at 0.01 they were in ${last.steps} steps (loss ${round(last.final, 4)}); ${shown}.`,
            evidence,
            actions: ['raise the learning rate (see P2 for a recommended rate) or switch to Adam', 'check a learning-rate schedule does not start near zero'],
          }),
        ];
      }
      return [
        makeFinding(META, {
          severity: 'error',
          message: `${rows.length} example(s) could not be fitted: loss ${round(last.initial, 4)} -> ${round(last.final, 4)} after ${last.steps} steps (needs <= ${evidence.threshold}${classification ? ' and every prediction right' : ''}); ${shown}.`,
          evidence,
          actions: [
            'check the loss matches the output: softmax output with a from-logits loss (or logits with a probability loss) caps how low the loss can go (see M2)',
            'check labels are aligned with inputs and in the form the loss expects (one-hot vs class ids, see D3)',
            'remove regularisation and dropout and try again; look for a frozen or disconnected layer (M7) or a squashing layer before the output (M1)',
          ],
        }),
      ];
    } finally {
      tf.dispose([...x, ...y]);
    }
  },
};
