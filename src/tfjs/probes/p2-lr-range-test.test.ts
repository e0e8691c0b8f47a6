import type * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../findings/finding.js';
import type { TrainingSpec } from './probe.js';
import { blobs, mlp, spec } from '../../test-support/tfjs-fixtures.js';
import { analyseLrSweep, p2LrRangeTest } from './p2-lr-range-test.js';
import { expectNoLeak, expectProbeCase } from './test-support/probe-contract.js';

const lrs = Array.from({ length: 100 }, (_v, k) => 1e-6 * 1e7 ** (k / 99));
/** Loss vs log-rate: flat, falls between 1e-4 and 1e-2, blows up after 1e-1. */
function curve(logLr: number): number {
  if (logLr < -4) return 2.3;
  if (logLr < -1.5) return 2.3 - 2 * ((logLr + 4) / 2.5);
  return 0.3 + 40 * (logLr + 1.5) ** 2;
}
const clean = lrs.map((lr) => curve(Math.log10(lr)));

describe('P2 analyseLrSweep', () => {
  it('recommends one order below the minimum and reports where it diverged', () => {
    const a = analyseLrSweep(lrs, clean);
    expect(a.lrAtMinimum).toBeGreaterThan(1e-2);
    expect(a.lrAtMinimum).toBeLessThan(1e-1);
    expect(a.recommended).toBeCloseTo(a.lrAtMinimum / 10, 12);
    expect(a.lrAtDivergence).toBeGreaterThan(a.lrAtMinimum);
    expect(a.lrSteepest).toBeGreaterThan(1e-4);
    expect(a.lrSteepest).toBeLessThan(a.lrAtMinimum);
    expect(a.reasoning).toContain('one order below');
  });

  it('is not fooled by an isolated early spike or a single NaN', () => {
    const noisy = [...clean];
    noisy[3] = 500;
    noisy[4] = 2.3;
    noisy[30] = NaN;
    noisy[45] = 80;
    const a = analyseLrSweep(lrs, noisy);
    const b = analyseLrSweep(lrs, clean);
    expect(a.divergedAt).toBe(b.divergedAt);
    expect(a.recommended).toBeCloseTo(b.recommended!, 12);
  });

  it('stops at two NaNs in a row', () => {
    const nan = clean.map((v, i) => (i >= 60 ? NaN : v));
    expect(analyseLrSweep(lrs, nan).divergedAt).toBe(60);
  });

  it('recommends nothing when the loss never falls', () => {
    const a = analyseLrSweep(lrs, lrs.map((_v, i) => 1.1 + 0.01 * Math.sin(i)));
    expect(a.recommended).toBeNull();
    expect(a.reasoning).toContain('no rate trains this model');
  });
});

describe('P2 learning-rate range test', () => {
  const cases: Array<readonly [string, () => tf.LayersModel, TrainingSpec, (all: Finding[]) => void]> = [
    ['a sensible Adam rate: info with the recommendation and its reasoning', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }), spec('categoricalCrossentropy'), (all) => {
      expect(all.map((f) => f.severity)).toEqual(['info']);
      expect(all[0]?.evidence['recommendedLr'] as number).toBeGreaterThan(1e-4);
      expect(String(all[0]?.evidence['reasoning'])).toContain('one order below');
    }],
    ['SGD at rate 5: warning, above the useful range', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }), spec('categoricalCrossentropy', { optimizer: 'sgd', learningRate: 5 }), (all) => {
      expect(all.map((f) => [f.severity, f.title])).toEqual([['warning', 'Learning rate above the useful range']]);
    }],
    ['a zero-initialised model that cannot learn: warning, no rate works', () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', zeroInit: true }), spec('categoricalCrossentropy'), (all) => {
      expect(all.map((f) => [f.severity, f.title])).toEqual([['warning', 'No learning rate makes the loss fall']]);
    }],
  ];

  it.each(cases)('%s', async (_name, build, training, check) => {
    // overlapping classes: the loss cannot reach 0
    await expectProbeCase(p2LrRangeTest, { data: () => blobs(128, 8, 3, 1, { spread: 0.5 }), model: build }, training, check, { budgetMs: 15_000 });
  });

  it('disposes every tensor it creates', async () => {
    await expectNoLeak(p2LrRangeTest, { data: () => blobs(64, 8, 3, 1), model: () => mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' }) }, spec('categoricalCrossentropy'));
  });
});
