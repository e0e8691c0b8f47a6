import type * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../findings/finding.js';
import type { ProbeData, TrainingSpec } from './probe.js';
import { blobs, mlp, regression, spec } from '../../test-support/tfjs-fixtures.js';
import { p7PredictionDynamics } from './p7-prediction-dynamics.js';
import { expectNoLeak, expectProbeCase } from './test-support/probe-contract.js';

const cls = spec('categoricalCrossentropy');

describe('P7 prediction dynamics', () => {
  const cases: Array<readonly [string, () => tf.LayersModel, () => ProbeData, TrainingSpec, (all: Finding[]) => void]> = [
    ['a classifier that learns: info with progress per epoch', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }), () => blobs(96, 8, 3, 1), cls, (all) => {
      expect(all.map((f) => f.severity)).toEqual(['info']);
      const loss = all[0]!.evidence['batchLossPerEpoch'] as number[];
      expect(loss.length).toBeGreaterThanOrEqual(3);
      expect(loss[loss.length - 1]).toBeLessThan(loss[0]!);
      expect((all[0]!.evidence['flipsPerEpoch'] as number[]).length).toBe(loss.length - 1);
    }],
    ['regression: info with the mean change per epoch', () => mlp({ inputs: 4, hidden: [16], outputs: 1 }), () => regression(96, 4, 1), spec('meanSquaredError'), (all) => {
      expect(all.map((f) => f.severity)).toEqual(['info']);
      expect(all[0]!.evidence['meanChangePerEpoch']).toBeDefined();
    }],
    ['zero-initialised model: predictions collapse to a constant (warning)', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', zeroInit: true }), () => blobs(96, 8, 3, 1), cls, (all) => {
      expect(all.map((f) => [f.severity, f.title])).toEqual([['warning', 'Predictions collapse to a constant']]);
    }],
    ['SGD at a huge rate on overlapping classes: predictions keep flipping (warning)', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', hiddenActivation: 'tanh' }), () => blobs(96, 8, 3, 1, { spread: 0.3 }), spec('categoricalCrossentropy', { optimizer: 'sgd', learningRate: 10 }), (all) => {
      expect(all.map((f) => [f.severity, f.title])).toEqual([['warning', 'Predictions keep flipping']]);
    }],
  ];

  it.each(cases)('%s', async (_name, build, makeData, training, check) => {
    await expectProbeCase(p7PredictionDynamics, { data: makeData, model: build }, training, check, { budgetMs: 15_000 });
  });

  it('disposes every tensor it creates', async () => {
    await expectNoLeak(p7PredictionDynamics, { data: () => blobs(64, 8, 3, 1), model: () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }) }, cls, { budgetMs: 1000 });
  });
});
