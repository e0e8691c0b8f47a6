import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../findings/finding.js';
import { blobs, mlp, spec } from '../../test-support/tfjs-fixtures.js';
import { m12RegularisationSanity } from './m12-regularisation-sanity.js';
import { expectNoLeak, expectProbeCase } from './test-support/probe-contract.js';

const cls = spec('categoricalCrossentropy');

interface RegConfig { className: string; config: Record<string, number> }

/** The bug: a dense layer that takes a kernel regulariser in its config and never registers it. */
class LazyDense extends tf.layers.Layer {
  static className = 'LazyDenseM12';
  private kernel: tf.LayerVariable | null = null;
  readonly units: number;
  readonly kernelRegularizer: RegConfig | null;
  constructor(args: { units: number; kernelRegularizer?: RegConfig | null; name?: string }) {
    super(args);
    this.units = args.units;
    this.kernelRegularizer = args.kernelRegularizer ?? null;
  }
  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = inputShape as tf.Shape;
    this.kernel = this.addWeight('kernel', [s[s.length - 1]!, this.units], 'float32', tf.initializers.glorotUniform({ seed: 1 }));
    this.built = true;
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    return [(s as tf.Shape)[0] ?? null, this.units];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.relu(tf.matMul(x, this.kernel!.read()));
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, kernelRegularizer: this.kernelRegularizer as unknown as tf.serialization.ConfigDict };
  }
}
tf.serialization.registerClass(LazyDense);

/** The bug: a dropout layer that never drops. */
class IdleDropout extends tf.layers.Layer {
  static className = 'IdleDropoutM12';
  readonly rate: number;
  constructor(args: { rate: number; name?: string }) {
    super(args);
    this.rate = args.rate;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.clone(Array.isArray(inputs) ? inputs[0]! : inputs);
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}
tf.serialization.registerClass(IdleDropout);

function withLayer(layer: tf.layers.Layer): tf.LayersModel {
  const input = tf.input({ shape: [8] });
  const mid = layer.apply(input) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'output', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(mid) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

describe('M12 regularisation sanity', () => {
  const cases: Array<readonly [string, () => tf.LayersModel, (all: Finding[]) => void]> = [
    ['no regularisation: nothing', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }), (all) => expect(all).toEqual([])],
    ['L2 and dropout wired in: nothing', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', l2: 1e-3, dropout: 0.2 }), (all) => expect(all).toEqual([])],
    ['a zero-strength L2: raised to 0.01, rises: nothing', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', l2: 0 }), (all) => expect(all).toEqual([])],
    ['a regulariser that the layer ignores: warning naming the layer', () => withLayer(new LazyDense({ units: 16, name: 'lazy', kernelRegularizer: { className: 'L1L2', config: { l1: 0, l2: 0.01 } } })), (all) => {
      expect(all.map((f) => [f.severity, f.layer])).toEqual([['warning', 'lazy']]);
      expect(String(all[0]?.evidence['change'])).toContain('l2=0.01 -> ');
    }],
    ['a dropout layer that never drops: warning naming the layer', () => withLayer(new IdleDropout({ rate: 0.3, name: 'idle' })), (all) => {
      expect(all.map((f) => [f.severity, f.layer])).toEqual([['warning', 'idle']]);
    }],
  ];

  it.each(cases)('%s', async (_name, build, check) => {
    await expectProbeCase(m12RegularisationSanity, { data: () => blobs(64, 8, 3, 1), model: build }, cls, check);
  });

  it('disposes every tensor it creates', async () => {
    await expectNoLeak(m12RegularisationSanity, { data: () => blobs(64, 8, 3, 1), model: () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', l2: 1e-3, dropout: 0.2 }) }, cls);
  });
});
