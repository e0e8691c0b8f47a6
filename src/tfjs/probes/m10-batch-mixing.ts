/**
 * M10 batch mixing: the outputs (and so the loss) of sample i must not depend on the input of sample
 * j != i. For a batch of 7 it takes the gradient of a random projection of sample i's outputs (the
 * loss of sample i is a function of exactly these outputs) with respect to the whole input batch and
 * checks that the rows j != i are zero. In inference mode any leak is a bug; in training mode
 * batch-norm mixes samples through the batch statistics by design and is excepted (and said so).
 * When samples mix, each layer is checked in turn to name the first one that mixes.
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import type { Finding } from '../../findings/finding.js';
import { cloneModel } from './clone-model.js';
import type { Probe } from './probe.js';
import { asArray, deadline, disposeModel, exampleCount, round, sliceRows, takeRows, unwrap } from './probe-kit.js';

const META = { id: 'M10', title: 'Batch mixing' } as const;
const BATCH = 7;
/** A leak below this fraction of the own-sample gradient is float noise. */
const TOLERANCE = 1e-5;

interface Leak {
  /** Largest ||d f_i / d x_j|| over i != j, relative to the largest ||d f_i / d x_i||. */
  readonly ratio: number;
  readonly i: number;
  readonly j: number;
  /** Whether any gradient was non-zero at all. */
  readonly judged: boolean;
}

/** Gradient rows of f_i = <out_i, r> with respect to every input row; float inputs only. */
function measureLeak(forward: (xs: tf.Tensor[]) => tf.Tensor[], x: readonly tf.Tensor[], floatInputs: readonly number[], seed: number, samples: number): Leak {
  let own = 0;
  let worst = { ratio: 0, value: 0, i: -1, j: -1 };
  const probes = tf.tidy(() => forward([...x]).map((o, k) => tf.randomNormal([1, ...o.shape.slice(1)], 0, 1, 'float32', seed + k)));
  try {
    for (let i = 0; i < samples; i++) {
      const norms = tf.tidy(() => {
        const f = (...fx: tf.Tensor[]): tf.Scalar => {
          const xs = x.map((t, k) => {
            const at = floatInputs.indexOf(k);
            return at >= 0 ? fx[at]! : t;
          });
          const outs = forward(xs);
          let s: tf.Tensor = tf.scalar(0);
          outs.forEach((o, k) => {
            if (o.shape[0] !== samples) throw new Error(`output ${k} has batch ${o.shape[0]}, expected ${samples}`);
            s = tf.add(s, tf.sum(tf.mul(o.slice([i], [1]), probes[k]!)));
          });
          return s as tf.Scalar;
        };
        const grads = tf.grads(f)(floatInputs.map((k) => x[k]!));
        // per row j: norm over all inputs
        const rows = Array.from({ length: samples }, () => 0);
        for (const g of grads) {
          const sq = tf.sum(tf.square(g.reshape([samples, -1])), 1).dataSync();
          for (let j = 0; j < samples; j++) rows[j]! += sq[j]!;
        }
        return rows.map(Math.sqrt);
      });
      own = Math.max(own, norms[i]!);
      norms.forEach((v, j) => {
        if (j !== i && v > worst.value) worst = { ratio: 0, value: v, i, j };
      });
    }
  } finally {
    tf.dispose(probes);
  }
  const judged = own > 0 || worst.value > 0;
  const ratio = worst.value === 0 ? 0 : own === 0 ? Infinity : worst.value / own;
  return { ratio, i: worst.i, j: worst.j, judged };
}

export const m10BatchMixing: Probe = {
  ...META,
  severity: 'error',
  kind: 'probe',
  description:
    "Checks on a batch of 7 that the gradient of sample i's outputs with respect to sample j's input is zero for i != j (in inference mode; batch-norm in training mode mixes by design and is excepted), and names the first layer that mixes samples.",
  budgetMs: 2000,
  async run(ctx) {
    const clock = deadline(ctx);
    const clone = await cloneModel(ctx.model);
    const n = exampleCount(ctx.data.x);
    const x = n >= BATCH ? sliceRows(ctx.data.x, 0, BATCH) : takeRows(ctx.data.x, Array.from({ length: BATCH }, (_v, i) => i % Math.max(1, n)));
    try {
      const floatInputs = x.map((t, k) => (t.dtype === 'float32' ? k : -1)).filter((k) => k >= 0);
      if (floatInputs.length === 0) {
        return [
          makeFinding(META, {
            severity: 'info',
            title: 'Batch mixing: not checked',
            message: 'every model input is an integer tensor (token or category ids), so there is no input gradient to check; M10 needs at least one float input.',
            evidence: { notApplicable: true },
            actions: ['run M10 on a model variant that takes embeddings as float input if batch mixing is a concern'],
          }),
        ];
      }
      const forward = (training: boolean) => (xs: tf.Tensor[]): tf.Tensor[] => asArray(clone.apply(unwrap(xs), { training }) as tf.Tensor | tf.Tensor[]);
      let inference: Leak;
      try {
        inference = measureLeak(forward(false), x, floatInputs, ctx.seed, BATCH);
      } catch (err) {
        return [
          makeFinding(META, {
            severity: 'error',
            title: 'The batch size changes inside the model',
            message: `a batch of ${BATCH} does not come out as ${BATCH} rows: ${err instanceof Error ? err.message : String(err)} (see M9 for the layer).`,
            evidence: { batch: BATCH },
            actions: ['run M9 to find the layer that merges the batch axis with another axis'],
          }),
        ];
      }
      ctx.progress?.(0.4);
      const hasBatchNorm = clone.layers.some((l) => /batchnormalization/i.test(l.getClassName()));
      const findings: Finding[] = [];
      if (inference.judged && inference.ratio > TOLERANCE) {
        const culprit = clock.over() ? null : firstMixingLayer(clone, x, floatInputs, false);
        findings.push(
          makeFinding(META, {
            severity: 'error',
            message: `in inference mode the output of sample ${inference.i} depends on the input of sample ${inference.j} (gradient ratio ${round(inference.ratio, 3)} > ${TOLERANCE})${culprit ? `; the first layer that mixes samples is ${culprit.name} (${culprit.getClassName()})` : ''}: something reshapes or reduces across the batch axis.`,
            layer: culprit?.name ?? null,
            evidence: { batch: BATCH, leakRatio: round(inference.ratio), tolerance: TOLERANCE, sample: inference.i, dependsOnSample: inference.j, mode: 'inference' },
            actions: [
              'look for a reshape/view used where a transpose was meant (x.reshape([features, batch]) instead of x.transpose())',
              'look for reductions over axis 0 (sum, mean, max over the batch) in custom layers or the loss',
            ],
          }),
        );
        return findings;
      }
      if (clock.over()) return findings;
      const training = measureLeak(forward(true), x, floatInputs, ctx.seed, BATCH);
      ctx.progress?.(0.8);
      if (training.judged && training.ratio > TOLERANCE) {
        if (hasBatchNorm) {
          findings.push(
            makeFinding(META, {
              severity: 'info',
              title: 'Batch mixing by batch-norm (excepted)',
              message: `samples mix only in training mode (gradient ratio ${round(training.ratio, 3)}) and the model has batch-norm, which normalises with the batch's own statistics: expected, not a bug. In inference mode no sample depends on another.`,
              evidence: { batch: BATCH, leakRatio: round(training.ratio), inferenceLeakRatio: round(inference.ratio), mode: 'training', batchNormExcepted: true },
              actions: ['nothing to do; keep batches large enough (>= 16) for stable batch statistics'],
            }),
          );
        } else {
          const culprit = clock.over() ? null : firstMixingLayer(clone, x, floatInputs, true);
          findings.push(
            makeFinding(META, {
              severity: 'warning',
              message: `in training mode the output of sample ${training.i} depends on the input of sample ${training.j} (gradient ratio ${round(training.ratio, 3)}) although the model has no batch-norm${culprit ? `; first mixing layer: ${culprit.name}` : ''}.`,
              layer: culprit?.name ?? null,
              evidence: { batch: BATCH, leakRatio: round(training.ratio), tolerance: TOLERANCE, mode: 'training' },
              actions: ['check custom layers for batch statistics or reshapes across the batch that run only when training is true'],
            }),
          );
        }
      }
      ctx.progress?.(1);
      return findings;
    } finally {
      tf.dispose(x);
      disposeModel(clone);
    }
  },
};

/** The first layer (in graph order) whose output rows depend on other input rows. */
function firstMixingLayer(model: tf.LayersModel, x: readonly tf.Tensor[], floatInputs: readonly number[], training: boolean): tf.layers.Layer | null {
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer' || layer.inboundNodes.length !== 1) continue;
    const sub = tf.model({ inputs: model.inputs, outputs: layer.output });
    try {
      const leak = measureLeak((xs) => asArray(sub.apply(unwrap(xs), { training }) as tf.Tensor | tf.Tensor[]), x, floatInputs, 1, BATCH);
      if (leak.judged && leak.ratio > TOLERANCE) return layer;
    } catch {
      return layer; // the batch size changed here
    }
  }
  return null;
}
