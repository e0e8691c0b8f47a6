/**
 * M7 frozen parameters: weights that should learn but get no gradient or never change. Layers frozen
 * on purpose (`trainable = false`) are listed as info; a trainable weight whose gradient is exactly
 * zero and that does not move over a few training steps on a clone is an error.
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import type { Finding } from '../../findings/finding.js';
import { cloneModel } from './clone-model.js';
import type { Probe } from './probe.js';
import { breathe, compileProbe, deadline, disposeModel, exampleCount, lossTensor, round, sliceRows, unwrap } from './probe-kit.js';

const TRAIN_STEPS = 5;
const META = { id: 'M7', title: 'Frozen parameters' } as const;

export const m7FrozenParameters: Probe = {
  ...META,
  severity: 'error',
  kind: 'probe',
  description:
    'Computes the gradient of the loss on a batch and trains a clone for a few steps: layers frozen on purpose (trainable=false) are info; a trainable weight with an exactly zero gradient that never changes is an error.',
  budgetMs: 3000,
  async run(ctx) {
    const clock = deadline(ctx);
    const findings: Finding[] = [];
    const model = ctx.model;
    const withWeights = model.layers.filter((l) => l.weights.length > 0);
    const frozen = withWeights.filter((l) => !l.trainable || !model.trainable);
    if (frozen.length > 0) {
      const all = frozen.length === withWeights.length;
      findings.push(
        makeFinding(META, {
          severity: all ? 'warning' : 'info',
          title: all ? 'Every layer is frozen' : 'Layers frozen on purpose',
          message: all
            ? `every layer with weights has trainable=false${model.trainable ? '' : ' (the model itself is set non-trainable)'}: training will not change any weight.`
            : `${frozen.length} layer(s) have trainable=false and will not learn: ${frozen.map((l) => l.name).join(', ')} (fine if intended, e.g. a frozen pretrained backbone).`,
          layer: frozen[0]?.name ?? null,
          evidence: { frozenLayers: frozen.map((l) => l.name).join(', '), frozenParameters: frozen.reduce((s, l) => s + l.countParams(), 0), totalParameters: model.countParams() },
          actions: all
            ? ['set layer.trainable = true on the layers that should learn (and recompile)', 'if you only evaluate this model, ignore this']
            : ['check that these are the layers you meant to freeze', 'remember to recompile after changing trainable'],
        }),
      );
    }

    const clone = await cloneModel(model);
    try {
      const vars = clone.trainableWeights;
      if (vars.length === 0) return findings;
      const n = exampleCount(ctx.data.x);
      const rows = Math.min(n, Math.max(ctx.training.batchSize, 64), 256);
      const xb = sliceRows(ctx.data.x, 0, rows);
      const yb = sliceRows(ctx.data.y, 0, rows);
      const names = vars.map((v) => v.originalName ?? v.name);
      let gradNorms: number[];
      try {
        const variables = vars.map((v) => v.read() as tf.Variable);
        const { value, grads } = tf.variableGrads(() => lossTensor(clone, xb, yb, ctx.training, false), variables);
        gradNorms = variables.map((v) => {
          const g = grads[v.name];
          return g ? tf.tidy(() => tf.norm(g).dataSync()[0]!) : 0;
        });
        tf.dispose([value, ...Object.values(grads)]);
      } catch (err) {
        if (!/connection between any variable/i.test(err instanceof Error ? err.message : '')) throw err;
        gradNorms = vars.map(() => 0);
      }
      ctx.progress?.(0.3);

      // a few training steps on the clone
      const before = vars.map((v) => v.read().clone());
      compileProbe(clone, ctx.training);
      let steps = 0;
      const bs = Math.max(1, Math.min(ctx.training.batchSize, n));
      for (let s = 0; s < TRAIN_STEPS && !clock.over(); s++) {
        const start = (s * bs) % Math.max(1, n - bs + 1);
        const xs = sliceRows(ctx.data.x, start, bs);
        const ys = sliceRows(ctx.data.y, start, bs);
        try {
          await clone.trainOnBatch(unwrap(xs), unwrap(ys));
        } finally {
          tf.dispose([...xs, ...ys]);
        }
        steps++;
        await breathe();
      }
      const change = vars.map((v, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(v.read(), before[i]!))).dataSync()[0]!));
      tf.dispose([...before, ...xb, ...yb]);
      ctx.progress?.(0.9);

      // group by layer
      const byLayer = new Map<string, number[]>();
      vars.forEach((v, i) => {
        const layer = clone.layers.find((l) => l.trainableWeights.includes(v))?.name ?? (names[i] ?? '').split('/')[0] ?? '?';
        byLayer.set(layer, [...(byLayer.get(layer) ?? []), i]);
      });
      for (const [layer, idx] of byLayer) {
        const dead = idx.filter((i) => gradNorms[i] === 0 && change[i] === 0);
        const stuck = idx.filter((i) => gradNorms[i]! > 0 && change[i] === 0 && steps > 0);
        if (dead.length > 0) {
          findings.push(
            makeFinding(META, {
              severity: 'error',
              title: 'Trainable weights get no gradient',
              message: `${dead.map((i) => names[i]).join(', ')} ${dead.length === 1 ? 'is' : 'are'} trainable but the loss gradient is exactly zero and ${dead.length === 1 ? 'it' : 'they'} did not change over ${steps} training steps: this layer does not learn.`,
              layer,
              evidence: {
                weights: dead.map((i) => names[i]).join(', '),
                gradientNorms: dead.map((i) => gradNorms[i]!),
                maxChangeAfterSteps: dead.map((i) => change[i]!),
                steps,
                batch: rows,
              },
              actions: [
                'look for all-zero or constant initialisation (see M5): zero weights before a ReLU give zero gradients to everything behind them',
                'check for dead ReLUs (all pre-activations negative) or a saturated activation in front of this layer',
                'check that the layer is connected to the loss (an output that is computed but not used, a stop-gradient, an integer cast)',
              ],
            }),
          );
        }
        if (stuck.length > 0) {
          findings.push(
            makeFinding(META, {
              severity: 'warning',
              title: 'Weights with a gradient that never change',
              message: `${stuck.map((i) => names[i]).join(', ')} get a non-zero gradient but did not change over ${steps} steps with ${ctx.training.optimizer} at learning rate ${ctx.training.learningRate}.`,
              layer,
              evidence: { weights: stuck.map((i) => names[i]).join(', '), gradientNorms: stuck.map((i) => round(gradNorms[i]!)), steps, learningRate: ctx.training.learningRate },
              actions: ['check the learning rate is not 0 and the optimizer receives these variables', 'check for a constraint that clamps the weights back'],
            }),
          );
        }
      }
      ctx.progress?.(1);
      return findings;
    } finally {
      disposeModel(clone);
    }
  },
};
