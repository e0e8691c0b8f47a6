/**
 * Layer taps: for the duration of one call, wrap each layer's `call` so its output is seen as it is
 * computed. Every path through a TF.js model (`fit`'s executor, `model.apply`, `predict`, nested
 * `runInternalGraph`) ends in `layer.call`, so this observes the very forward pass that training
 * runs, for Sequential and functional models alike. Outside a tap, layers are untouched.
 */
import type * as tf from '@tensorflow/tfjs';
import type { LayerInfo } from './model-info.js';

type CallFn = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** Sees a layer's output (the first tensor when it returns several); called once per layer per tap. */
export type TapFn = (info: LayerInfo, output: tf.Tensor) => void;

/**
 * Runs `body` with `onOutput` seeing the first output of every listed layer, then restores the layers
 * (also when `body` throws). A layer called several times in one pass (shared layers, RNN cells) is
 * seen on its first call.
 * @example
 * const value = withTaps(info.measured, (l, y) => stats.push(tf.keep(y.mean())), () => lossFn());
 */
export function withTaps<T>(layers: readonly LayerInfo[], onOutput: TapFn, body: () => T): T {
  const restore: Array<() => void> = [];
  try {
    for (const info of layers) {
      const target = info.layer as unknown as { call: CallFn };
      const own = Object.getOwnPropertyDescriptor(target, 'call');
      const original = target.call;
      let seen = false;
      const tapped: CallFn = function (this: unknown, inputs, kwargs) {
        const out = original.call(this, inputs, kwargs);
        if (!seen) {
          seen = true;
          const first = Array.isArray(out) ? out[0] : out;
          if (first && first.dtype === 'float32') onOutput(info, first);
        }
        return out;
      };
      Object.defineProperty(target, 'call', { value: tapped, configurable: true, writable: true });
      restore.push(() => {
        if (own) Object.defineProperty(target, 'call', own);
        else delete (target as { call?: CallFn }).call;
      });
    }
    return body();
  } finally {
    for (const undo of restore.reverse()) undo();
  }
}
