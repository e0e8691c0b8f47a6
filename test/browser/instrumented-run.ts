/**
 * A run as nndoctor's instrumentation writes it (TensorBoard event file): train and validation loss,
 * accuracy, per-layer gradient norms, update/weight ratios, activation std and dead-unit fractions,
 * and gradient histograms. The input-side layer's gradients are ~500x smaller than the output side's
 * (vanishing gradients, a T3 finding on `dense_1`). The writer stays open so tests can append.
 */
import type { EventFileWriter } from '../../src/formats/tensorboard/index.js';
import { createEventFileWriter } from '../../src/formats/tensorboard/index.js';

/** Layers, input side first. */
export const LAYERS = ['dense_1', 'dense_2', 'dense_3', 'dense_4'];

/** A small deterministic random generator (same run every time). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Writes steps `[from, to)` of the run into `w` (and flushes). */
export function writeSteps(w: EventFileWriter, from: number, to: number): void {
  const rand = rng(from + 7);
  const t0 = 1_700_000_000;
  for (let step = from; step < to; step++) {
    const t = t0 + step;
    const loss = 2.3 * Math.exp(-step / 150) + 0.25 + 0.05 * (rand() - 0.5);
    w.scalar('train/loss', step, loss, t);
    w.scalar('train/accuracy', step, 1 - 0.9 * Math.exp(-step / 150) - 0.02 * rand(), t);
    if (step % 10 === 0) {
      w.scalar('val/loss', step, 2.3 * Math.exp(-step / 170) + 0.32 + 0.03 * (rand() - 0.5), t);
      w.scalar('val/accuracy', step, 1 - 0.9 * Math.exp(-step / 170) - 0.06, t);
    }
    if (step % 5 === 0) {
      LAYERS.forEach((layer, i) => {
        const scale = [1e-4, 1e-3, 1e-2, 5e-2][i] as number;
        w.scalar(`grad_norm/${layer}`, step, scale * (1 + 0.3 * rand()) * (1 + Math.exp(-step / 100)), t);
        w.scalar(`update_ratio/${layer}`, step, scale * 0.05 * (1 + 0.5 * rand()), t);
        w.scalar(`act_std/${layer}`, step, [1.1, 0.8, 0.45, 0.3][i] as number * (1 + 0.1 * rand()), t);
        w.scalar(`act_zero_frac/${layer}`, step, Math.min(1, ([0.05, 0.15, 0.35, 0.6][i] as number) * (1 + step / 600)), t);
      });
    }
    if (step % 25 === 0) {
      const values = new Float32Array(2000);
      LAYERS.forEach((layer, i) => {
        const spread = ([1e-4, 1e-3, 1e-2, 5e-2][i] as number) * (1 + Math.exp(-step / 100));
        for (let k = 0; k < values.length; k++) values[k] = spread * ((rand() + rand() + rand()) - 1.5);
        w.histogram(`gradients/${layer}`, step, values, t);
      });
    }
  }
  w.flush();
}

/**
 * Creates the run in `dir` with its first `steps` steps written; returns the open writer.
 * @example
 * const w = writeInstrumentedRun(join(tmp, 'mlp'), 300);
 * writeSteps(w, 300, 400); // the run grows
 */
export function writeInstrumentedRun(dir: string, steps: number): EventFileWriter {
  const w = createEventFileWriter(dir, { hostname: 'test', flushBytes: 1 << 30, flushSeconds: 1e9 });
  writeSteps(w, 0, steps);
  return w;
}
