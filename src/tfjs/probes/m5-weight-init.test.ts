import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fans, m5WeightInit } from './m5-weight-init.js';
import { context, loud, runClean, spec } from './test-support/probe-fixtures.js';

const data = () => ({ x: tf.zeros([2, 16]), y: tf.zeros([2]) });
const s = spec('sparseCategoricalCrossentropy');

describe('M5 weight init', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('computes Keras fans for dense and conv kernels', () => {
    expect(fans([16, 8], 'Dense', 'kernel')).toEqual({ fanIn: 16, fanOut: 8 });
    expect(fans([3, 3, 4, 8], 'Conv2D', 'kernel')).toEqual({ fanIn: 36, fanOut: 72 });
    expect(fans([3, 3, 4, 1], 'DepthwiseConv2D', 'depthwise_kernel')).toEqual({ fanIn: 9, fanOut: 9 });
  });

  it('is silent on default initialisers (dense, conv, lstm)', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.reshape({ targetShape: [4, 4, 1], inputShape: [16] }),
        tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }),
        tf.layers.reshape({ targetShape: [4, 4] }),
        tf.layers.lstm({ units: 4 }),
        tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: 'heNormal' }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const d = data();
    expect(loud(await runClean(m5WeightInit, context(model, d, s)))).toEqual([]);
    tf.dispose([d.x, d.y]);
    model.dispose();
  });

  it('errors on a zero hidden kernel, info on a zero output kernel', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 8, inputShape: [16], activation: 'relu', kernelInitializer: 'zeros', name: 'hidden' }), tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: 'zeros', name: 'out' })],
    });
    const d = data();
    const findings = await runClean(m5WeightInit, context(model, d, s));
    expect(findings.map((f) => [f.severity, f.layer])).toEqual([
      ['error', 'hidden'],
      ['info', 'out'],
    ]);
    expect(findings[0]!.message).toMatch(/symmetry/);
    tf.dispose([d.x, d.y]);
    model.dispose();
  });

  it('errors on a constant hidden kernel and warns on scales 100x too small or too large', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 8, inputShape: [16], activation: 'relu', kernelInitializer: tf.initializers.constant({ value: 0.1 }), name: 'same' }),
        tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: tf.initializers.randomNormal({ stddev: 0.001, seed: 1 }), name: 'tiny' }),
        tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: tf.initializers.randomNormal({ stddev: 20, seed: 2 }), name: 'huge' }),
        tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
      ],
    });
    const d = data();
    const findings = await runClean(m5WeightInit, context(model, d, s));
    expect(findings.map((f) => [f.severity, f.layer])).toEqual([
      ['error', 'same'],
      ['warning', 'tiny'],
      ['warning', 'huge'],
    ]);
    expect(findings[1]!.evidence.ratioToLowest as number).toBeLessThan(0.1);
    expect(findings[2]!.evidence.ratioToHighest as number).toBeGreaterThan(10);
    expect(findings[1]!.evidence).toMatchObject({ fanIn: 8, fanOut: 32, heStd: 0.5 });
    tf.dispose([d.x, d.y]);
    model.dispose();
  });
});
