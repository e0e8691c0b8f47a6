/**
 * Test support for the D and M probes (not shipped): contexts with defaults, an in-memory artefact
 * sink, tiny models and datasets, and assertions that a probe left the model, the data and the
 * tensor count as it found them.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { Finding } from '../../../findings/finding.js';
import type { ArtefactSink, Probe, ProbeContext, ProbeData, TrainingSpec } from '../probe.js';

/** A training spec with defaults (Adam 1e-2, batch 32). */
export function spec(loss: string, extra: Partial<TrainingSpec> = {}): TrainingSpec {
  return { loss, optimizer: 'adam', learningRate: 1e-2, batchSize: 32, ...extra };
}

/** An artefact sink that keeps files in memory. */
export interface MemorySink extends ArtefactSink {
  readonly files: Map<string, Uint8Array | string>;
}

export function memorySink(): MemorySink {
  const files = new Map<string, Uint8Array | string>();
  return {
    files,
    async write(name, data) {
      files.set(name, data);
      return `mem/${name}`;
    },
  };
}

/** A probe context with defaults: 30 s budget, seed 1. */
export function context(model: tf.LayersModel, data: ProbeData, training: TrainingSpec, extra: Partial<ProbeContext> = {}): ProbeContext {
  return { model, data, training, budgetMs: 30_000, seed: 1, ...extra };
}

function dataTensors(data: ProbeData): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const key of ['x', 'y', 'xVal', 'yVal', 'xTest', 'yTest'] as const) {
    const v = data[key];
    if (v === undefined) continue;
    if (v instanceof tf.Tensor) out.push(v);
    else out.push(...v);
  }
  return out;
}

/**
 * Runs `probe` on `ctx` and asserts that the model's weights, the data and the number of live
 * tensors are the same afterwards. Returns the findings.
 * @example
 * const findings = await runClean(d1NonFiniteData, ctx);
 */
export async function runClean(probe: Probe, ctx: ProbeContext): Promise<Finding[]> {
  const weights = ctx.model.getWeights().map((w) => Array.from(w.dataSync()));
  const trainable = ctx.model.layers.map((l) => l.trainable);
  const data = dataTensors(ctx.data).map((t) => ({ t, values: Array.from(t.dataSync()), shape: [...t.shape] }));
  const before = tf.memory().numTensors;
  const findings = await probe.run(ctx);
  expect(tf.memory().numTensors, 'tensors leaked by the probe').toBe(before);
  expect(ctx.model.getWeights().map((w) => Array.from(w.dataSync())), 'model weights changed').toEqual(weights);
  expect(ctx.model.layers.map((l) => l.trainable)).toEqual(trainable);
  for (const d of data) {
    expect(d.t.isDisposed, 'data tensor disposed').toBe(false);
    expect([...d.t.shape]).toEqual(d.shape);
    expect(Array.from(d.t.dataSync()), 'data changed').toEqual(d.values);
  }
  for (const f of findings) {
    expect(f.check).toBe(probe.id);
    expect(f.actions.length, `actions of: ${f.message}`).toBeGreaterThan(0);
  }
  return findings;
}

/** Findings at warning or error. */
export const loud = (findings: readonly Finding[]): Finding[] => findings.filter((f) => f.severity !== 'info');

/**
 * Gaussian blobs: `n` rows of `features` standard-normal features, class k shifted by `sep` along
 * feature k (mod features); labels cycle 0..classes-1 so the order is mixed. Returns sparse labels.
 * @example
 * const { x, labels } = blobs(64, 4, 3, 1);
 */
export function blobs(n: number, features: number, classes: number, seed: number, sep = 3): { x: tf.Tensor2D; labels: number[] } {
  const labels = Array.from({ length: n }, (_, i) => (i * 7 + seed) % classes);
  const x = tf.tidy(() => {
    const noise = tf.randomNormal([n, features], 0, 1, 'float32', seed);
    const shift = tf.oneHot(
      tf.tensor1d(
        labels.map((l) => l % features),
        'int32',
      ),
      features,
    );
    return tf.add(noise, tf.mul(shift, sep)) as tf.Tensor2D;
  });
  return { x, labels };
}

/** A small MLP classifier: dense(hidden, relu) -> dense(classes, softmax). */
export function mlp(features: number, classes: number, hidden = 8, seed = 1): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: hidden, inputShape: [features], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: classes, activation: classes === 1 ? 'sigmoid' : 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}
