/**
 * M11 composite-loss balance: for a model with several outputs, the summed loss is a sum of one term
 * per output. Measures each term (and its gradient norm over the shared weights) at initialisation
 * and after a few training steps on a clone; a term more than 100x another dwarfs it, so the small
 * term's output barely trains. Single-output models get no finding.
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import { cloneModel } from './clone-model.js';
import type { Probe } from './probe.js';
import { asArray, compileProbe, deadline, disposeModel, evaluateLoss, exampleCount, lossNames, lossPerExample, round, sliceRows, trainEpochs, unwrap } from './probe-kit.js';

const META = { id: 'M11', title: 'Composite-loss balance' } as const;
const RATIO = 100;

function ratioOf(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).map(Math.abs);
  if (finite.length < 2) return 1;
  const max = Math.max(...finite);
  const min = Math.max(Math.min(...finite), max * 1e-9, 1e-12);
  return max === 0 ? 1 : max / min;
}

export const m11LossBalance: Probe = {
  ...META,
  severity: 'warning',
  kind: 'probe',
  description:
    'For multi-output models, measures each output’s loss term and its gradient norm at initialisation and after a few steps on a clone; one term more than 100x another is a warning. Single-output models: no finding.',
  budgetMs: 2000,
  async run(ctx) {
    if (ctx.model.outputs.length < 2) return [];
    const clock = deadline(ctx);
    const clone = await cloneModel(ctx.model);
    const rows = Math.min(exampleCount(ctx.data.x), 128);
    const x = sliceRows(ctx.data.x, 0, rows);
    const y = sliceRows(ctx.data.y, 0, rows);
    try {
      const names = clone.outputs.map((o) => (o.sourceLayer as tf.layers.Layer).name);
      const losses = lossNames(ctx.training, names.length);
      const gradNorms = (): number[] =>
        names.map((_n, k) =>
          tf.tidy(() => {
            const vars = clone.trainableWeights.map((v) => v.read() as tf.Variable);
            const { value, grads } = tf.variableGrads(() => {
              const outs = asArray(clone.apply(unwrap(x), { training: false }) as tf.Tensor | tf.Tensor[]);
              return lossPerExample(losses[k]!, ctx.training.fromLogits)(y[k] ?? y[0]!, outs[k]!).mean() as tf.Scalar;
            }, vars);
            const sq = Object.values(grads).reduce((s, g) => s + tf.sum(tf.square(g)).dataSync()[0]!, 0);
            value.dispose();
            return Math.sqrt(sq);
          }),
        );
      const initLoss = evaluateLoss(clone, x, y, ctx.training).perOutput;
      let initGrad: number[] = [];
      try {
        initGrad = gradNorms();
      } catch {
        initGrad = [];
      }
      ctx.progress?.(0.3);
      compileProbe(clone, ctx.training);
      const epochs = await trainEpochs(clone, x, y, { epochs: 3, batchSize: ctx.training.batchSize, deadline: clock, seed: ctx.seed });
      const laterLoss = evaluateLoss(clone, x, y, ctx.training).perOutput;
      ctx.progress?.(1);
      const lossRatio = Math.max(ratioOf(initLoss), epochs.length > 0 ? ratioOf(laterLoss) : 1);
      const gradRatio = initGrad.length > 0 ? ratioOf(initGrad) : 1;
      if (lossRatio <= RATIO && gradRatio <= RATIO) return [];
      const big = initLoss.indexOf(Math.max(...initLoss));
      const small = initLoss.indexOf(Math.min(...initLoss));
      return [
        makeFinding(META, {
          severity: 'warning',
          message: `the loss of output ${names[big]} (${round(initLoss[big]!, 4)}) is ${round(lossRatio, 3)}x that of ${names[small]} (${round(initLoss[small]!, 4)})${gradRatio > RATIO ? `, gradient norms differ ${round(gradRatio, 3)}x` : ''}: the summed loss is dominated by one term (threshold ${RATIO}x) and the other outputs barely train.`,
          layer: names[big] ?? null,
          evidence: {
            outputs: names.join(', '),
            losses: losses.join(', '),
            lossAtInit: initLoss.map((v) => round(v)),
            lossAfterSteps: laterLoss.map((v) => round(v)),
            gradientNormAtInit: initGrad.map((v) => round(v)),
            lossRatio: round(lossRatio),
            gradientRatio: round(gradRatio),
            threshold: RATIO,
            epochs: epochs.length,
          },
          actions: [
            'weight the terms (Keras loss_weights) so each contributes a comparable share, or normalise the targets of a regression output (scale to unit variance)',
            'check that each output uses the loss meant for it (a regression target with a classification loss, or pixel sums instead of means)',
          ],
        }),
      ];
    } finally {
      tf.dispose([...x, ...y]);
      disposeModel(clone);
    }
  },
};
