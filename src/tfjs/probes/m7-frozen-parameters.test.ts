import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { blobs, firing, mlp, runProbe, spec } from '../../test-support/tfjs-fixtures.js';
import { m7FrozenParameters } from './m7-frozen-parameters.js';
import { expectNoLeak, expectProbeCase } from './test-support/probe-contract.js';

const cls = spec('categoricalCrossentropy');

describe('M7 frozen parameters', () => {
  const cases: Array<readonly [string, () => tf.LayersModel, (f: ReturnType<typeof firing>, all: Awaited<ReturnType<typeof runProbe>>['findings']) => void]> = [
    ['a healthy MLP: nothing', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }), (f, all) => {
      expect(f).toEqual([]);
      expect(all).toEqual([]);
    }],
    ['zero-initialised MLP: hidden and output kernels get no gradient (error per layer)', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', zeroInit: true }), (f) => {
      expect(f.map((x) => [x.severity, x.layer])).toEqual([['error', 'hidden1'], ['error', 'output']]);
      expect(f[0]?.evidence['weights']).toBe('hidden1/kernel, hidden1/bias');
      expect(f[1]?.evidence['weights']).toBe('output/kernel');
      expect(f[0]?.actions.length).toBeGreaterThan(0);
    }],
    ['a layer frozen on purpose: info naming it, no error', () => {
      const m = mlp({ inputs: 8, hidden: [16, 16], outputs: 3, outputActivation: 'softmax' });
      m.getLayer('hidden1').trainable = false;
      return m;
    }, (f, all) => {
      expect(f).toEqual([]);
      expect(all.map((x) => [x.severity, x.layer])).toEqual([['info', 'hidden1']]);
      expect(all[0]?.message).toContain('trainable=false');
    }],
    ['every layer frozen: warning', () => {
      const m = mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' });
      m.trainable = false;
      return m;
    }, (f) => {
      expect(f.map((x) => x.severity)).toEqual(['warning']);
    }],
  ];

  it.each(cases)('%s', async (_name, build, expectFindings) => {
    await expectProbeCase(m7FrozenParameters, { data: () => blobs(64, 8, 3, 1), model: build }, cls, (all) => expectFindings(firing(all), all));
  });

  it('disposes every tensor it creates', async () => {
    await expectNoLeak(m7FrozenParameters, { data: () => blobs(64, 8, 3, 1), model: () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }) }, cls);
  });
});
