import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../findings/finding.js';
import type { ProbeData } from './probe.js';
import { mlp, regression, spec } from '../../test-support/tfjs-fixtures.js';
import { m11LossBalance } from './m11-loss-balance.js';
import { expectNoLeak, expectProbeCase } from './test-support/probe-contract.js';

const mse = spec('meanSquaredError');

function twoHeads(): tf.LayersModel {
  const input = tf.input({ shape: [4] });
  const h = tf.layers.dense({ units: 12, activation: 'relu', name: 'trunk', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(input) as tf.SymbolicTensor;
  const a = tf.layers.dense({ units: 1, name: 'price', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }).apply(h) as tf.SymbolicTensor;
  const b = tf.layers.dense({ units: 1, name: 'rating', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: [a, b] });
}

function twoTargets(scaleA: number): ProbeData {
  const a = regression(64, 4, 1, scaleA);
  const b = regression(64, 4, 1);
  const y2 = b.y as tf.Tensor;
  tf.dispose(b.x as tf.Tensor);
  return { x: a.x, y: [a.y as tf.Tensor, y2] };
}

describe('M11 composite-loss balance', () => {
  const cases: Array<readonly [string, () => tf.LayersModel, () => ProbeData, (all: Finding[]) => void]> = [
    ['single output: nothing', () => mlp({ inputs: 4, outputs: 1 }), () => regression(64, 4, 1, 1000), (all) => expect(all).toEqual([])],
    ['two outputs on comparable scales: nothing', twoHeads, () => twoTargets(1), (all) => expect(all).toEqual([])],
    ['a regression target in the thousands next to a unit one: warning naming the big term', twoHeads, () => twoTargets(1000), (all) => {
      expect(all.map((f) => [f.severity, f.layer])).toEqual([['warning', 'price']]);
      expect(all[0]?.evidence['lossRatio'] as number).toBeGreaterThan(100);
    }],
  ];

  it.each(cases)('%s', async (_name, build, makeData, check) => {
    await expectProbeCase(m11LossBalance, { data: makeData, model: build }, mse, check);
  });

  it('disposes every tensor it creates', async () => {
    await expectNoLeak(m11LossBalance, { data: () => twoTargets(1000), model: twoHeads }, mse);
  });
});
