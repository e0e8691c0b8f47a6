import type * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../findings/finding.js';
import type { ProbeData, TrainingSpec } from './probe.js';
import { blobs, mlp, regression, spec } from '../../test-support/tfjs-fixtures.js';
import { p1OverfitBatch } from './p1-overfit-batch.js';
import { expectNoLeak, expectProbeCase } from './test-support/probe-contract.js';

describe('P1 overfit one tiny batch', () => {
  const cases: Array<readonly [string, () => tf.LayersModel, () => ProbeData, TrainingSpec, (all: Finding[]) => void]> = [
    ['classifier with a matching loss: info with labels vs predictions', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }), () => blobs(32, 8, 3, 1), spec('categoricalCrossentropy'), (all) => {
      expect(all.map((f) => f.severity)).toEqual(['info']);
      expect(all[0]?.evidence['labels']).toEqual([0, 1, 2]);
      expect(all[0]?.evidence['predictions']).toEqual([0, 1, 2]);
    }],
    ['regression: info', () => mlp({ inputs: 4, hidden: [16], outputs: 1 }), () => regression(32, 4, 1), spec('meanSquaredError'), (all) => {
      expect(all.map((f) => f.severity)).toEqual(['info']);
      expect((all[0]?.evidence['labels'] as number[]).length).toBe(3);
    }],
    ['softmax output fed to a from-logits loss: error, labels vs predictions shown', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }), () => blobs(32, 8, 3, 1), spec('categoricalCrossentropy', { fromLogits: true }), (all) => {
      expect(all.map((f) => f.severity)).toEqual(['error']);
      expect(all[0]?.evidence['finalLoss'] as number).toBeGreaterThan(0.3);
      expect(all[0]?.evidence['labels']).toEqual([0, 1, 2]);
      expect(all[0]?.message).toContain('labels [0, 1, 2] vs predictions');
    }],
    ['a learning rate too small to fit 3 examples: warning (Adam 1e-2 fits them)', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }), () => blobs(32, 8, 3, 1), spec('categoricalCrossentropy', { optimizer: 'sgd', learningRate: 1e-6 }), (all) => {
      expect(all.map((f) => f.severity)).toEqual(['warning']);
    }],
  ];

  it.each(cases)('%s', async (_name, build, makeData, training, check) => {
    await expectProbeCase(p1OverfitBatch, { data: makeData, model: build }, training, check, { budgetMs: 15_000 });
  });

  it('disposes every tensor it creates', async () => {
    await expectNoLeak(p1OverfitBatch, { data: () => blobs(32, 8, 3, 1), model: () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }) }, spec('categoricalCrossentropy'));
  });
});
