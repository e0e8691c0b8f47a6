/**
 * Test support (not shipped): custom layers with deliberately wrong gradients for M6, registered with
 * `tf.serialization.registerClass` so `cloneModel` can clone models that use them.
 */
import * as tf from '@tensorflow/tfjs';

type Save = (tensors: tf.Tensor[]) => void;

const first = (inputs: tf.Tensor | tf.Tensor[]): tf.Tensor => (Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs);

/** Forward x^2 with a custom gradient `gradFactor`·x (2 is right). No weights. */
abstract class CustomGradSquare extends tf.layers.Layer {
  protected abstract readonly gradFactor: number;
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const f = tf.customGrad((x, save) => {
      (save as Save)([x as tf.Tensor]);
      return { value: tf.square(x as tf.Tensor), gradFunc: (dy, saved) => tf.mul(tf.mul(dy as tf.Tensor, saved[0] as tf.Tensor), this.gradFactor) };
    });
    return f(first(inputs)) as tf.Tensor;
  }
}

/** Forward x^2, but the custom gradient says 3x (should be 2x). No weights. */
export class WrongSquare extends CustomGradSquare {
  static readonly className = 'NndWrongSquare';
  protected readonly gradFactor = 3;
}

/** Forward x^2 with the right custom gradient 2x (the control). */
export class RightSquare extends CustomGradSquare {
  static readonly className = 'NndRightSquare';
  protected readonly gradFactor = 2;
}

/** Forward tanh(x), but the custom gradient uses 1 - y instead of 1 - y^2 (a subtle bug). */
export class WrongTanh extends tf.layers.Layer {
  static readonly className = 'NndWrongTanh';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const f = tf.customGrad((x, save) => {
      const y = tf.tanh(x as tf.Tensor);
      (save as Save)([y]);
      return { value: y, gradFunc: (dy, saved) => tf.mul(dy as tf.Tensor, tf.sub(1, saved[0] as tf.Tensor)) };
    });
    return f(first(inputs)) as tf.Tensor;
  }
}

/** Forward x * alpha (per-unit weight); the custom gradient for alpha has the wrong sign, dx is right. */
export class WrongSignScale extends tf.layers.Layer {
  static readonly className = 'NndWrongSignScale';
  private alpha: tf.LayerVariable | null = null;
  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    this.alpha = this.addWeight('alpha', [shape[shape.length - 1] as number], 'float32', tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 3 }));
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const alpha = (this.alpha as tf.LayerVariable).read();
    const f = tf.customGrad((x, a, save) => {
      (save as Save)([x as tf.Tensor, a as tf.Tensor]);
      return {
        value: tf.mul(x as tf.Tensor, a as tf.Tensor),
        gradFunc: (dy, saved) => {
          const [sx, sa] = saved as [tf.Tensor, tf.Tensor];
          const d = dy as tf.Tensor;
          return [tf.mul(d, sa), tf.neg(tf.sum(tf.mul(d, sx), 0))];
        },
      };
    });
    return f(first(inputs), alpha) as tf.Tensor;
  }
}

for (const cls of [WrongSquare, RightSquare, WrongTanh, WrongSignScale]) tf.serialization.registerClass(cls);
