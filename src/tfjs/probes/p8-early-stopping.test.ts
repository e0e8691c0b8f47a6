import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../findings/finding.js';
import type { ProbeData, TrainingSpec } from './probe.js';
import { blobs, mlp, spec } from '../../test-support/tfjs-fixtures.js';
import { p8EarlyStopping, planEarlyStopping } from './p8-early-stopping.js';
import { rng } from './probe-kit.js';
import { expectNoLeak, expectProbeCase } from './test-support/probe-contract.js';

/** 24 training rows with a third of the labels flipped, 48 clean validation rows of overlapping classes. */
function overfits(): ProbeData {
  const train = blobs(24, 8, 3, 1, { spread: 0.8 });
  const val = blobs(48, 8, 3, 1, { spread: 0.8 });
  const rand = rng(3);
  const noisy = train.labels.map((c) => (rand() < 0.35 ? (c + 1) % 3 : c));
  (train.y as tf.Tensor).dispose();
  return { x: train.x, y: tf.oneHot(tf.tensor1d(noisy, 'int32'), 3).toFloat(), xVal: val.x, yVal: val.y };
}

describe('P8 planEarlyStopping', () => {
  it.each([
    ['rises after a plateau', [1, 0.8, 0.82, 0.7, 0.75, 0.9], { bestEpoch: 4, patience: 2, stopsAtEpoch: 6 }],
    ['still improving', [1, 0.9, 0.8, 0.7], { bestEpoch: 4, patience: 1, stopsAtEpoch: null }],
    ['a long plateau before the best', [1, 0.9, 0.95, 0.93, 0.92, 0.5, 0.6], { bestEpoch: 6, patience: 4, stopsAtEpoch: null }],
  ] as const)('%s', (_name, val, expected) => {
    expect(planEarlyStopping(val)).toMatchObject(expected);
  });
});

describe('P8 early stopping / best checkpoint', () => {
  const cases: Array<readonly [string, () => tf.LayersModel, () => ProbeData, TrainingSpec, (all: Finding[]) => void]> = [
    ['clean data, still improving: info with the best epoch', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }), () => blobs(128, 8, 3, 1, { spread: 1 }), spec('categoricalCrossentropy', { learningRate: 0.003 }), (all) => {
      expect(all.map((f) => f.severity)).toEqual(['info']);
      expect(all[0]!.evidence['bestEpoch'] as number).toBeGreaterThan(1);
    }],
    ['noisy labels, too few rows, fast optimizer: warning with the best epoch and the patience', () => mlp({ inputs: 8, hidden: [16, 16], outputs: 3, outputActivation: 'softmax' }), overfits, spec('categoricalCrossentropy', { learningRate: 0.05, batchSize: 8 }), (all) => {
      expect(all.map((f) => [f.severity, f.title])).toEqual([['warning', 'Validation loss rises after the best epoch']]);
      const e = all[0]!.evidence;
      expect(e['bestEpoch'] as number).toBeLessThan(e['epochs'] as number);
      expect(e['patience'] as number).toBeGreaterThanOrEqual(1);
      expect(all[0]!.steps?.[0]).toBe(e['bestEpoch']);
    }],
  ];

  it.each(cases)('%s', async (_name, build, makeData, training, check) => {
    await expectProbeCase(p8EarlyStopping, { data: makeData, model: build }, training, check, { budgetMs: 20_000 });
  });

  it('disposes every tensor it creates', async () => {
    await expectNoLeak(p8EarlyStopping, { data: () => blobs(64, 8, 3, 1), model: () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }) }, spec('categoricalCrossentropy'), { budgetMs: 800 });
  });
});
