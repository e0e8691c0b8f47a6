import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../findings/finding.js';
import type { ProbeData, TrainingSpec } from './probe.js';
import { blobs, disposeData, mlp, regression, spec } from '../../test-support/tfjs-fixtures.js';
import { constantLoss, p3SimplerModel, smallSibling } from './p3-simpler-model.js';
import { rng } from './probe-kit.js';
import { expectNoLeak, expectProbeCase } from './test-support/probe-contract.js';

const cls = spec('categoricalCrossentropy');

/** Blobs whose labels were shuffled away from their inputs: no signal left. */
function noSignal(): ProbeData {
  const d = blobs(128, 8, 3, 1);
  const rand = rng(5);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: 128 }, () => Math.floor(rand() * 3)), 'int32'), 3).toFloat();
  (d.y as tf.Tensor).dispose();
  return { x: d.x, y };
}

describe('P3 simpler-model comparison', () => {
  it('constant-prediction loss: ln 3 for balanced 3 classes, the variance for MSE', () => {
    const d = blobs(99, 4, 3, 1);
    expect(constantLoss(d.y as tf.Tensor, 'categoricalCrossentropy', false, 3)).toBeCloseTo(Math.log(3), 4);
    const s = blobs(99, 4, 3, 1, { sparse: true });
    expect(constantLoss(s.y as tf.Tensor, 'sparseCategoricalCrossentropy', false, 3)).toBeCloseTo(Math.log(3), 4);
    expect(constantLoss(tf.tensor2d([[1], [3]]), 'meanSquaredError', false, 1)).toBeCloseTo(1, 6);
    disposeData(d);
    disposeData(s);
  });

  it('builds a small conv sibling for a conv net', () => {
    const input = tf.input({ shape: [8, 8, 1] });
    const c = tf.layers.conv2d({ filters: 16, kernelSize: 3 }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 4, activation: 'softmax' }).apply(tf.layers.flatten().apply(c) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const built = smallSibling(tf.model({ inputs: input, outputs: out }), 1);
    expect(built.model?.outputs[0]?.shape).toEqual([null, 4]);
    expect('family' in built && built.family).toBe('convolutional');
  });

  const cases: Array<readonly [string, () => tf.LayersModel, () => ProbeData, TrainingSpec, (all: Finding[]) => void]> = [
    ['a model that trains: nothing', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }), () => blobs(128, 8, 3, 1), cls, (all) => expect(all).toEqual([])],
    ['zero-initialised full model, small one trains: warning (architecture/init)', () => mlp({ inputs: 8, hidden: [16, 16], outputs: 3, outputActivation: 'softmax', zeroInit: true }), () => blobs(128, 8, 3, 1), cls, (all) => {
      expect(all.map((f) => [f.severity, f.title])).toEqual([['warning', 'A simpler model trains where the full one does not']]);
      expect(all[0]?.evidence['smallLossEnd'] as number).toBeLessThan(all[0]?.evidence['trainsBelow'] as number);
    }],
    ['labels without signal: both fail, error (code or data)', () => mlp({ inputs: 8, hidden: [8], outputs: 3, outputActivation: 'softmax' }), noSignal, cls, (all) => {
      expect(all.map((f) => [f.severity, f.title])).toEqual([['error', 'Neither the model nor a simpler one trains']]);
    }],
    ['regression that trains: nothing', () => mlp({ inputs: 4, hidden: [16], outputs: 1 }), () => regression(128, 4, 1), spec('meanSquaredError'), (all) => expect(all).toEqual([])],
  ];

  it.each(cases)('%s', async (_name, build, makeData, training, check) => {
    await expectProbeCase(p3SimplerModel, { data: makeData, model: build }, training, check, { budgetMs: 20_000 });
  });

  it('disposes every tensor it creates', async () => {
    await expectNoLeak(p3SimplerModel, { data: () => blobs(64, 8, 3, 1), model: () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }) }, cls, { budgetMs: 1000 });
  });
});
