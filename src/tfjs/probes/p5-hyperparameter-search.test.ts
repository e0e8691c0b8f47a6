import type * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../findings/finding.js';
import type { TrainingSpec } from './probe.js';
import { blobs, mlp, spec } from '../../test-support/tfjs-fixtures.js';
import { p5HyperparameterSearch, sampleConfigs } from './p5-hyperparameter-search.js';
import { expectNoLeak, expectProbeCase } from './test-support/probe-contract.js';

describe('P5 small hyper-parameter search', () => {
  it('samples seeded configurations around yours, yours first', () => {
    const s = spec('categoricalCrossentropy', { learningRate: 1e-3, batchSize: 32 });
    const a = sampleConfigs(s, 6, 42, 100, true);
    expect(a).toEqual(sampleConfigs(s, 6, 42, 100, true));
    expect(a[0]).toEqual({ learningRate: 1e-3, batchSize: 32, weightDecay: null, dropout: null });
    for (const c of a.slice(1)) {
      expect(c.learningRate).toBeGreaterThanOrEqual(1e-4);
      expect(c.learningRate).toBeLessThanOrEqual(1e-1);
      expect(c.batchSize).toBeLessThanOrEqual(128);
      expect(c.dropout).not.toBeNull();
    }
    expect(sampleConfigs(s, 3, 1, 100, false).slice(1).every((c) => c.dropout === null)).toBe(true);
  });

  const cases: Array<readonly [string, () => tf.LayersModel, TrainingSpec, (all: Finding[]) => void]> = [
    ['a good configuration: info with the results table', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', dropout: 0.1 }), spec('categoricalCrossentropy'), (all) => {
      expect(all.map((f) => f.severity)).toEqual(['info']);
      const e = all[0]!.evidence;
      expect((e['valLoss'] as number[]).length).toBe(e['trials']);
      expect(e['trials'] as number).toBeGreaterThanOrEqual(3);
      expect(String(e['table'])).toContain('[yours]');
      expect(String(e['table'])).toContain('[best]');
    }],
    ['a learning rate 1000x too small: warning, the best trial beats it', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }), spec('categoricalCrossentropy', { learningRate: 1e-5 }), (all) => {
      expect(all.map((f) => [f.severity, f.title])).toEqual([['warning', 'A quick search beats your configuration clearly']]);
      expect(all[0]!.evidence['bestValLoss'] as number).toBeLessThan(all[0]!.evidence['yourValLoss'] as number);
    }],
  ];

  it.each(cases)('%s', async (_name, build, training, check) => {
    await expectProbeCase(p5HyperparameterSearch, { data: () => blobs(128, 8, 3, 1), model: build }, training, check, { budgetMs: 20_000 });
  });

  it('disposes every tensor it creates', async () => {
    await expectNoLeak(p5HyperparameterSearch, { data: () => blobs(64, 8, 3, 1), model: () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', dropout: 0.2, l2: 1e-4 }) }, spec('categoricalCrossentropy'), { budgetMs: 1500 });
  });
});
