/**
 * M8 train vs inference mode: runs one batch through a clone with `training: true` and `false`,
 * compares outputs and losses, and applies each layer alone (on its inference-mode input) in both
 * modes to name the layers that cause the gap (dropout, noise, batch-norm, custom layers).
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import type { Finding } from '../../findings/finding.js';
import { cloneModel } from './clone-model.js';
import type { Probe } from './probe.js';
import { asArray, difference, disposeModel, disposeTrace, evaluateLoss, exampleCount, round, sliceRows, traceLayers, unwrap } from './probe-kit.js';

const META = { id: 'M8', title: 'Train vs inference mode' } as const;
/** Relative output change under which a layer counts as mode-independent. */
const LAYER_GAP = 1e-5;
const NOISE_LAYERS = /dropout|gaussiannoise|gaussiandropout|alphadropout/i;

export const m8TrainInferenceGap: Probe = {
  ...META,
  severity: 'warning',
  kind: 'probe',
  description:
    'Compares outputs and loss of one batch in training and inference mode and applies every layer alone in both modes to report which layers (dropout, noise, batch-norm, custom) cause the gap.',
  budgetMs: 2000,
  async run(ctx) {
    const clone = await cloneModel(ctx.model);
    const rows = Math.min(exampleCount(ctx.data.x), Math.max(2, ctx.training.batchSize), 128);
    const x = sliceRows(ctx.data.x, 0, rows);
    const y = sliceRows(ctx.data.y, 0, rows);
    try {
      // inference first: training-mode batch-norm updates the clone's moving statistics
      const lossInference = evaluateLoss(clone, x, y, ctx.training, false).total;
      const outInference = asArray(clone.apply(unwrap(x), { training: false }) as tf.Tensor | tf.Tensor[]);
      const trace = traceLayers(clone, x, false);
      const values = new Map<number, tf.Tensor>();
      clone.inputs.forEach((s, i) => values.set(s.id, x[i]!));
      for (const t of trace) {
        const outs = t.layer.inboundNodes.length > 1 ? t.layer.getOutputAt(0) : t.layer.output;
        (Array.isArray(outs) ? outs : [outs]).forEach((s, i) => values.set(s.id, t.outputs[i]!));
      }
      ctx.progress?.(0.3);
      const gaps: Array<{ name: string; cls: string; gap: number }> = [];
      for (const t of trace) {
        const node = t.layer.inboundNodes[0];
        if (!node) continue;
        const inputs = node.inputTensors.map((s) => values.get(s.id));
        if (inputs.some((v) => v === undefined)) continue;
        const ins = inputs as tf.Tensor[];
        const trainOut = asArray(t.layer.apply(ins.length === 1 ? ins[0]! : ins, { training: true }) as tf.Tensor | tf.Tensor[]);
        const gap = Math.max(...trainOut.map((o, i) => (t.outputs[i] ? difference(o, t.outputs[i]!).relative : 0)));
        tf.dispose(trainOut.filter((o) => !ins.includes(o) && !t.outputs.includes(o)));
        if (gap > LAYER_GAP) gaps.push({ name: t.layer.name, cls: t.layer.getClassName(), gap });
      }
      disposeTrace(trace);
      ctx.progress?.(0.7);
      const lossTraining = evaluateLoss(clone, x, y, ctx.training, true).total;
      const outTraining = asArray(clone.apply(unwrap(x), { training: true }) as tf.Tensor | tf.Tensor[]);
      const outputGap = Math.max(...outTraining.map((o, i) => difference(o, outInference[i]!).relative));
      tf.dispose([...outInference, ...outTraining]);
      ctx.progress?.(1);

      if (gaps.length === 0 && outputGap <= LAYER_GAP) return [];
      const findings: Finding[] = [];
      const worst = [...gaps].sort((a, b) => b.gap - a.gap)[0];
      const bnUntrained = (name: string): boolean => {
        const layer = ctx.model.getLayer(name);
        const w = layer.weights.filter((v) => /moving_(mean|variance)/.test(v.originalName ?? v.name));
        return w.every((v) =>
          tf.tidy(() => {
            const isVar = /moving_variance/.test(v.originalName ?? v.name);
            return tf.max(tf.abs(tf.sub(v.read(), isVar ? 1 : 0))).dataSync()[0]! === 0;
          }),
        );
      };
      const describe = (g: { name: string; cls: string; gap: number }): string => `${g.name} (${g.cls}, gap ${round(g.gap, 3)})`;
      findings.push(
        makeFinding(META, {
          severity: 'info',
          message: `outputs differ by ${round(outputGap * 100, 3)}% between training and inference mode on the same batch (loss ${round(lossTraining, 4)} training vs ${round(lossInference, 4)} inference); caused by ${gaps.length > 0 ? gaps.map(describe).join(', ') : 'no single layer (the gap builds up across layers)'}.`,
          layer: worst?.name ?? null,
          evidence: {
            outputGap: round(outputGap),
            lossTrainingMode: round(lossTraining),
            lossInferenceMode: round(lossInference),
            layers: gaps.map((g) => `${g.name} (${g.cls})`).join(', '),
            layerGaps: gaps.map((g) => round(g.gap)),
            batch: rows,
          },
          actions: [
            'expect the training loss (with dropout active) to sit above the validation loss: compare train and val in the same mode before calling it underfitting',
            'evaluate and predict in inference mode (model.predict / training: false); only training steps should run in training mode',
          ],
        }),
      );
      for (const g of gaps) {
        if (/batchnormalization/i.test(g.cls)) {
          if (g.gap > 0.5 && !bnUntrained(g.name)) {
            findings.push(
              makeFinding(META, {
                severity: 'warning',
                title: 'Batch-norm statistics do not match the data',
                message: `${g.name}: the moving mean/variance used at inference differ strongly from this batch's statistics (relative output gap ${round(g.gap, 3)} > 0.5), so inference outputs are far from training outputs.`,
                layer: g.name,
                evidence: { gap: round(g.gap), threshold: 0.5 },
                actions: [
                  'check that inference data are preprocessed exactly like training data',
                  'train longer or lower the batch-norm momentum so the moving averages catch up; avoid tiny batches with batch-norm',
                ],
              }),
            );
          }
        } else if (!NOISE_LAYERS.test(g.cls)) {
          findings.push(
            makeFinding(META, {
              severity: 'warning',
              title: 'A layer behaves differently in training mode',
              message: `${g.name} (${g.cls}) is not a dropout, noise or batch-norm layer but its output changes with the training flag (relative gap ${round(g.gap, 3)}).`,
              layer: g.name,
              evidence: { gap: round(g.gap), layerClass: g.cls },
              actions: ['check how this layer uses the `training` argument; randomness or statistics that differ between modes must be intended'],
            }),
          );
        }
      }
      return findings;
    } finally {
      tf.dispose([...x, ...y]);
      disposeModel(clone);
    }
  },
};
