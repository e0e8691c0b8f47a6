import { describe, expect, it } from 'vitest';
import { curve, runFrom, seeded } from '../test-support/runs.js';
import { gte, lte, ruleTable, runCheck } from '../test-support/rule-table.js';
import { c8NoisyValidation } from './c8-noisy-validation.js';

const N = 40;
/** Additive (not relative) noise of size `a`, seeded. */
const jitter = (n: number, f: (i: number) => number, a: number, seed: number): number[] => {
  const r = seeded(seed);
  return Array.from({ length: n }, (_, i) => f(i) + a * (r() * 2 - 1));
};
const acc = (e: number) => 0.9 - 0.4 * Math.exp(-e / 8);
const loss = (e: number) => 0.3 + 1.5 * Math.exp(-e / 8);

ruleTable(c8NoisyValidation, {
  valid: [
    {
      name: 'smooth val and train',
      run: runFrom({ accuracy: jitter(N, acc, 0.003, 1), val_accuracy: jitter(N, (e) => acc(e) - 0.03, 0.004, 2), loss: curve(N, loss, 0.01, 3), val_loss: curve(N, loss, 0.01, 4) }, { unit: 'epoch' }),
    },
    {
      name: 'val as noisy as train (both from an unstable run)',
      run: runFrom({ loss: curve(N, loss, 0.15, 3), val_loss: curve(N, (e) => loss(e) * 1.1, 0.15, 4) }, { unit: 'epoch' }),
    },
    {
      name: 'plateaued val accuracy with tiny jitter (0.2 points)',
      run: runFrom({ accuracy: jitter(N, acc, 0.002, 1), val_accuracy: jitter(N, () => 0.85, 0.002, 2) }, { unit: 'epoch' }),
    },
    {
      name: 'one bad evaluation is not jitter',
      run: runFrom({ accuracy: jitter(N, acc, 0.003, 1), val_accuracy: jitter(N, acc, 0.004, 2).map((v, e) => (e === 20 ? 0.3 : v)) }, { unit: 'epoch' }),
    },
    { name: 'too few evaluations (info only)', run: runFrom({ loss: [2, 1.5, 1.2, 1], val_loss: [2.1, 1.7, 1.6, 1.5] }, { unit: 'epoch' }) },
  ],
  invalid: [
    {
      name: 'val accuracy jumps +-6 points around a smooth train accuracy',
      run: runFrom({ accuracy: jitter(N, acc, 0.003, 1), val_accuracy: jitter(N, (e) => acc(e) - 0.05, 0.1, 2), loss: curve(N, loss, 0.01, 3), val_loss: curve(N, loss, 0.01, 4) }, { unit: 'epoch' }),
      findings: [
        {
          severity: 'warning',
          message: /val_accuracy jitters .* val set of ~\d+ examples/,
          evidence: { jitter: gte(0.015), jitterToTrend: gte(0.2), jitterToTrendThreshold: 0.2, impliedValExamples: lte(1000), evaluations: N },
        },
      ],
    },
    {
      name: 'val loss jitters (no metric logged), train per step',
      run: runFrom({
        'train/loss': { steps: Array.from({ length: N * 20 }, (_, i) => i * 5), values: curve(N * 20, (i) => loss(i / 20), 0.2, 3) },
        'val/loss': { steps: Array.from({ length: N }, (_, e) => e * 100 + 99), values: curve(N, (e) => loss(e) * 1.2, 0.5, 8) },
      }),
      findings: [{ severity: 'warning', evidence: { jitterToTrend: gte(0.2), trainJitterToTrend: lte(0.1), impliedValExamples: null } }],
    },
  ],
});

describe('C8 without validation', () => {
  it('returns no finding', () => {
    expect(runCheck(c8NoisyValidation, { name: 'train only', run: runFrom({ loss: [2, 1, 0.5] }) })).toEqual([]);
  });
});
