/**
 * P6 layer-by-layer comparison. `compareModels(a, b, input)` runs two implementations of the same
 * network on one input and reports the first layer whose outputs differ and, scanning from the last
 * layer backwards, the first layer whose weight gradients differ (for the same random projection of
 * the outputs). The probe compares the model with its own clone (a save/load round trip): they must
 * agree; a difference means the saved model does not compute what the model in memory computes
 * (typically a custom layer whose getConfig leaves out a parameter).
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import { cloneModel } from './clone-model.js';
import type { Probe } from './probe.js';
import { asArray, difference, disposeModel, disposeTrace, exampleCount, round, sliceRows, traceLayers, unwrap } from './probe-kit.js';

const META = { id: 'P6', title: 'Layer-by-layer comparison' } as const;

/** How one pair of layers compares. */
export interface LayerDifference {
  /** Position among the layers compared (input layers left out), 0-based. */
  readonly index: number;
  readonly layerA: string;
  readonly layerB: string;
  readonly maxAbs: number;
  /** ||a - b|| / max(||a||, ||b||); Infinity when the shapes differ. */
  readonly relative: number;
}

/** What {@link compareModels} found. */
export interface ModelComparison {
  readonly layersCompared: number;
  readonly tolerance: number;
  /** Per pair of layers, in graph order. */
  readonly outputs: LayerDifference[];
  readonly firstOutputDifference: LayerDifference | null;
  /** Per pair of layers that have trainable weights, in graph order. */
  readonly gradients: LayerDifference[];
  /** Scanning from the last layer backwards, the first whose weight gradients differ. */
  readonly firstGradientDifferenceFromEnd: LayerDifference | null;
  /** The layer right after that one in graph order: its backward pass is the first suspect. */
  readonly gradientSuspect: string | null;
  readonly notes: string[];
}

/** Options of {@link compareModels}. */
export interface CompareOptions {
  /** Relative difference above which two tensors differ (default 1e-5, float32 noise is ~1e-7). */
  readonly tolerance?: number;
  /** Run in training mode (default false: inference). */
  readonly training?: boolean;
  readonly seed?: number;
}

/**
 * Compares two implementations of the same network layer by layer on one input. Layers are paired
 * by position (input layers left out); neither model is modified.
 * @example
 * const c = await compareModels(reference, port, x);
 * c.firstOutputDifference?.layerB // 'dense_2'
 */
export async function compareModels(a: tf.LayersModel, b: tf.LayersModel, input: tf.Tensor | tf.Tensor[], options: CompareOptions = {}): Promise<ModelComparison> {
  const tolerance = options.tolerance ?? 1e-5;
  const training = options.training ?? false;
  const x = asArray(input);
  const notes: string[] = [];
  const la = a.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const lb = b.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const count = Math.min(la.length, lb.length);
  if (la.length !== lb.length) notes.push(`the models have ${la.length} and ${lb.length} layers; compared the first ${count} by position`);

  const ta = traceLayers(a, x, training);
  const tb = traceLayers(b, x, training);
  const outputs: LayerDifference[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const oa = ta[i]!.outputs;
      const ob = tb[i]!.outputs;
      let worst = { maxAbs: 0, relative: 0 };
      if (oa.length !== ob.length) worst = { maxAbs: Infinity, relative: Infinity };
      else
        oa.forEach((t, k) => {
          const d = difference(t, ob[k]!);
          if (d.relative > worst.relative || d.maxAbs > worst.maxAbs) worst = { maxAbs: Math.max(worst.maxAbs, d.maxAbs), relative: Math.max(worst.relative, d.relative) };
        });
      outputs.push({ index: i, layerA: la[i]!.name, layerB: lb[i]!.name, ...worst });
    }
  } finally {
    disposeTrace(ta);
    disposeTrace(tb);
  }
  const firstOutputDifference = outputs.find((d) => d.relative > tolerance) ?? null;

  // gradients of the same random projection of the outputs, per layer's weights
  const gradientsOf = (m: tf.LayersModel, layers: tf.layers.Layer[]): Array<tf.Tensor[] | null> => {
    const vars = m.trainableWeights.map((v) => v.read() as tf.Variable);
    if (vars.length === 0) return layers.map(() => null);
    const probes = tf.tidy(() => asArray(m.apply(unwrap(x), { training }) as tf.Tensor | tf.Tensor[]).map((o, k) => tf.randomNormal(o.shape, 0, 1, 'float32', (options.seed ?? 7) + k)));
    const { value, grads } = tf.variableGrads(
      () =>
        tf.tidy(() => {
          const outs = asArray(m.apply(unwrap(x), { training }) as tf.Tensor | tf.Tensor[]);
          return outs.reduce((s: tf.Tensor, o, k) => tf.add(s, tf.sum(tf.mul(o, probes[k]!))), tf.scalar(0)) as tf.Scalar;
        }),
      vars,
    );
    tf.dispose([value, ...probes]);
    const used = new Set<tf.Tensor>();
    const result = layers.map((l) => {
      if (l.trainableWeights.length === 0) return null;
      return l.trainableWeights.map((w) => {
        const g = grads[(w.read() as tf.Variable).name];
        if (g) used.add(g);
        return g ?? tf.zeros(w.shape as number[]);
      });
    });
    tf.dispose(Object.values(grads).filter((g) => !used.has(g)));
    return result;
  };
  const ga = gradientsOf(a, la.slice(0, count));
  const gb = gradientsOf(b, lb.slice(0, count));
  const gradients: LayerDifference[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const x1 = ga[i];
      const x2 = gb[i];
      if (!x1 || !x2) {
        if (x1 !== x2 && (x1 ?? x2)) gradients.push({ index: i, layerA: la[i]!.name, layerB: lb[i]!.name, maxAbs: Infinity, relative: Infinity });
        continue;
      }
      let worst = { maxAbs: 0, relative: 0 };
      if (x1.length !== x2.length) worst = { maxAbs: Infinity, relative: Infinity };
      else
        x1.forEach((g, k) => {
          const d = difference(g, x2[k]!);
          worst = { maxAbs: Math.max(worst.maxAbs, d.maxAbs), relative: Math.max(worst.relative, d.relative) };
        });
      gradients.push({ index: i, layerA: la[i]!.name, layerB: lb[i]!.name, ...worst });
    }
  } finally {
    tf.dispose([...ga, ...gb].flatMap((g) => g ?? []));
  }
  const fromEnd = [...gradients].reverse().find((d) => d.relative > tolerance) ?? null;
  const suspect = fromEnd ? (lb[fromEnd.index + 1]?.name ?? null) : null;
  if (gradients.length === 0) notes.push('no layer has trainable weights: gradients were not compared');
  return { layersCompared: count, tolerance, outputs, firstOutputDifference, gradients, firstGradientDifferenceFromEnd: fromEnd, gradientSuspect: suspect, notes };
}

export const p6CompareModels: Probe = {
  ...META,
  severity: 'error',
  kind: 'probe',
  description:
    'Compares the model with its save/load clone layer by layer (outputs forwards, weight gradients from the last layer backwards): any difference means the saved model does not compute what the model in memory does. compareModels(a, b, input) does the same for any two implementations.',
  budgetMs: 1500,
  async run(ctx) {
    const clone = await cloneModel(ctx.model);
    const x = sliceRows(ctx.data.x, 0, Math.min(exampleCount(ctx.data.x), 16));
    try {
      const c = await compareModels(ctx.model, clone, x, { seed: ctx.seed });
      ctx.progress?.(1);
      const out = c.firstOutputDifference;
      const grad = c.firstGradientDifferenceFromEnd;
      if (!out && !grad) return [];
      const layer = out?.layerA ?? grad?.layerA ?? null;
      return [
        makeFinding(META, {
          severity: 'error',
          title: 'The saved model computes something else',
          message: out
            ? `after a save/load round trip, outputs first differ at layer ${out.layerA} (relative difference ${round(out.relative, 3)} > ${c.tolerance}): its configuration does not capture everything it computes with.`
            : `after a save/load round trip, outputs agree but weight gradients differ, first (from the end) at ${grad!.layerA}${c.gradientSuspect ? `; the backward pass of ${c.gradientSuspect} is the first suspect` : ''}.`,
          layer,
          evidence: {
            firstOutputDifference: out?.layerA ?? null,
            outputRelativeDifference: out ? round(out.relative) : null,
            firstGradientDifferenceFromEnd: grad?.layerA ?? null,
            gradientRelativeDifference: grad ? round(grad.relative) : null,
            gradientSuspect: c.gradientSuspect,
            tolerance: c.tolerance,
            outputDifferences: c.outputs.map((d) => round(d.relative)),
          },
          actions: [
            `check getConfig() of ${layer ?? 'the layer'}: every constructor argument must be in it (and registered with tf.serialization.registerClass)`,
            'save, reload and compare with compareModels(original, reloaded, x) after fixing',
          ],
        }),
      ];
    } finally {
      tf.dispose(x);
      disposeModel(clone);
    }
  },
};
