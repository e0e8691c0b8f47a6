import { describe, expect, it } from 'vitest';
import type { RunParams } from './params.js';
import type { SplitRun } from './splits.js';
import { describeSplit, findSplits } from './splits.js';

/** A reproducible stream of numbers in [0, 1) (no Math.random in tests). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A learning-rate grid: 20 runs below 0.01 (none diverge), 6 at or above (all diverge); seeds vary. */
function lrSweep(): SplitRun[] {
  const runs: SplitRun[] = [];
  for (const lr of [0.0001, 0.0003, 0.001, 0.003, 0.005]) for (let s = 0; s < 4; s++) runs.push({ params: { lr, seed: s, optimizer: 'adam' }, hasFinding: false });
  for (const lr of [0.01, 0.03, 0.1]) for (let s = 0; s < 2; s++) runs.push({ params: { lr, seed: s, optimizer: 'adam' }, hasFinding: true });
  return runs;
}

describe('findSplits', () => {
  it('reports a clean threshold split with its counts and statistic', () => {
    const [split, ...rest] = findSplits(lrSweep());
    expect(rest).toEqual([]);
    expect(split).toMatchObject({ param: 'lr', sameAs: [], side: { op: '>=', value: 0.01, runs: 6, withFinding: 6 }, rest: { op: '<=', value: 0.005, runs: 20, withFinding: 0 } });
    expect(split?.p).toBeCloseTo(4.343482604352169e-6, 12);
    // lr: 7 thresholds x 2 directions with >= 3 runs a side = 12 (the outermost leave fewer than 3 on a side); seed: 3 thresholds x 2
    expect(split?.tries).toBe(18);
    expect(split?.pAdjusted).toBeCloseTo(18 * 4.343482604352169e-6, 12);
    expect(describeSplit(split!, 'C2')).toBe(
      'all 6 runs with lr >= 0.01 have C2; none of the 20 with lr <= 0.005 do (one-sided Fisher p = 4.3e-6; 7.8e-5 corrected for the 18 splits tried)',
    );
  });

  it('reports a near-perfect categorical split, with the exception counted', () => {
    const runs: SplitRun[] = [];
    for (let i = 0; i < 5; i++) runs.push({ params: { optimizer: 'sgd' }, hasFinding: true });
    for (let i = 0; i < 10; i++) runs.push({ params: { optimizer: 'adam' }, hasFinding: i === 0 });
    const [split] = findSplits(runs);
    expect(split).toMatchObject({ param: 'optimizer', side: { op: '=', value: 'sgd', runs: 5, withFinding: 5 }, rest: { op: '!=', value: 'sgd', runs: 10, withFinding: 1 } });
    expect(describeSplit(split!, 'C1')).toMatch(/^all 5 runs with optimizer = sgd have C1; 1 of the 10 with optimizer != sgd does \(/);
  });

  it('names parameters that split the runs the same way together', () => {
    const runs = lrSweep().map((r) => ({ ...r, params: { ...r.params, schedule: (r.params['lr'] as number) >= 0.01 ? 'fast' : 'slow' } }));
    const [split] = findSplits(runs);
    expect(split?.param).toBe('lr');
    expect(split?.sameAs).toEqual(['schedule']);
  });

  it('leaves out runs that do not record the parameter', () => {
    const runs: SplitRun[] = [...lrSweep(), ...Array.from({ length: 10 }, (_, i) => ({ params: {} as RunParams, hasFinding: i < 5 }))];
    const [split] = findSplits(runs);
    expect((split?.side.runs ?? 0) + (split?.rest.runs ?? 0)).toBe(26);
  });

  it('reports nothing for a random assignment of the finding', () => {
    const next = lcg(17);
    for (let trial = 0; trial < 20; trial++) {
      const runs: SplitRun[] = [];
      for (let i = 0; i < 40; i++) {
        runs.push({ params: { lr: [0.001, 0.003, 0.01, 0.03][i % 4] as number, batch: [16, 32, 64][i % 3] as number, opt: i % 2 ? 'sgd' : 'adam', seed: i }, hasFinding: next() < 0.3 });
      }
      expect(findSplits(runs)).toEqual([]);
    }
  });

  it('reports nothing with too few runs on a side, or a split not clean enough', () => {
    // 2 + 2: below MIN_SIDE_RUNS
    expect(findSplits([0.1, 0.1, 0.001, 0.001].map((lr) => ({ params: { lr }, hasFinding: lr > 0.01 })))).toEqual([]);
    // 3 + 3 perfect: p = 1/20 = 0.05 before any correction; not below 0.05
    expect(findSplits([0.1, 0.1, 0.1, 0.001, 0.001, 0.001].map((lr) => ({ params: { lr }, hasFinding: lr > 0.01 })))).toEqual([]);
    // 4 + 4 perfect on a two-valued parameter: p = 1/70, x2 tries = 0.029: reported
    expect(findSplits(['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b'].map((opt) => ({ params: { opt }, hasFinding: opt === 'a' })))).toHaveLength(1);
    // 6 of 8 on the finding side (75%) is below MIN_SIDE_SHARE
    const runs: SplitRun[] = [];
    for (let i = 0; i < 8; i++) runs.push({ params: { opt: 'sgd' }, hasFinding: i < 6 });
    for (let i = 0; i < 20; i++) runs.push({ params: { opt: 'adam' }, hasFinding: false });
    expect(findSplits(runs)).toEqual([]);
    // every run has the finding, or none: nothing to split
    expect(findSplits(lrSweep().map((r) => ({ ...r, hasFinding: true })))).toEqual([]);
    expect(findSplits([])).toEqual([]);
  });
});
