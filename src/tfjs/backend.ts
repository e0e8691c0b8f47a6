/**
 * Backend helpers: silence TF.js' "install tfjs-node" banner in Node (the pure-JS CPU backend prints
 * it on its first tensor) without changing any flag the user's code could depend on.
 */
import * as tf from '@tensorflow/tfjs';

let quieted = false;

/**
 * Initialises the backend (CPU in Node, WebGL in a browser) and, for the CPU backend in Node, marks
 * the banner as already shown. Idempotent and harmless in a browser.
 * @example
 * quietBackend(); // before the first tensor is created
 */
export function quietBackend(): void {
  if (quieted) return;
  quieted = true;
  try {
    void tf.engine().backend; // initialises the best available backend
    const cpu = tf.getBackend() === 'cpu' ? (tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null) : null;
    if (cpu && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
  } catch {
    // No backend yet (unusual set-ups): TF.js will report that itself on first use.
  }
}

/**
 * The optimiser's current learning rate, when it exposes one (every built-in TF.js optimiser does).
 * @example
 * learningRate(tf.train.adam(1e-3)) // 0.001
 */
export function learningRate(optimizer: tf.Optimizer | null | undefined): number | null {
  const lr = (optimizer as unknown as { learningRate?: unknown } | null | undefined)?.learningRate;
  return typeof lr === 'number' && Number.isFinite(lr) ? lr : null;
}
