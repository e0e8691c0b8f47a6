import { describe, expect, it } from 'vitest';
import { curve, runFrom, seeded } from '../test-support/runs.js';
import { between, gte, ruleTable, runCheck } from '../test-support/rule-table.js';
import { c11LossMetricDisagreement } from './c11-loss-metric-disagreement.js';

const N = 40;
const jitter = (f: (i: number) => number, a: number, seed: number): number[] => {
  const r = seeded(seed);
  return Array.from({ length: N }, (_, i) => f(i) + a * (r() * 2 - 1));
};
const loss = (e: number) => 0.3 + 1.5 * Math.exp(-e / 8);
const acc = (e: number) => 0.9 - 0.5 * Math.exp(-e / 8);
/** Val loss bottoming at epoch 15 then rising 30% by the end. */
const overconfident = (e: number) => (e <= 15 ? 0.5 + 1.2 * Math.exp(-e / 4) : (0.5 + 1.2 * Math.exp(-15 / 4)) * (1 + (0.3 * (e - 15)) / (N - 16)));
const epochs = { unit: 'epoch' } as const;

ruleTable(c11LossMetricDisagreement, {
  valid: [
    { name: 'loss falls and accuracy rises (train and val)', run: runFrom({ loss: curve(N, loss, 0.02, 1), accuracy: jitter(acc, 0.005, 2), val_loss: curve(N, loss, 0.03, 3), val_accuracy: jitter(acc, 0.01, 4) }, epochs) },
    { name: 'both at a plateau, wiggling', run: runFrom({ val_loss: curve(N, () => 0.6, 0.03, 3), val_accuracy: jitter(() => 0.8, 0.01, 4) }, epochs) },
    { name: 'loss keeps improving modestly (10%) while accuracy saturates', run: runFrom({ loss: curve(N, (e) => 0.3 - 0.03 * (e / N), 0.005, 1), accuracy: jitter(() => 0.99, 0.002, 2) }, epochs) },
    { name: 'error metric (mae, lower is better) falls with the loss', run: runFrom({ loss: curve(N, loss, 0.02, 1), mae: curve(N, (e) => 0.2 + 0.8 * Math.exp(-e / 8), 0.02, 2) }, epochs) },
    {
      name: 'plain overfitting: val loss up and val accuracy down (C3, not C11)',
      run: runFrom({ val_loss: curve(N, overconfident, 0.01, 3), val_accuracy: jitter((e) => (e <= 15 ? acc(e) : acc(15) - 0.003 * (e - 15)), 0.003, 4) }, epochs),
    },
    {
      name: 'val loss 0.32 -> 0.11 while val accuracy 0.965 -> 0.971 (17% of the remaining error: a metric near its bound moves little)',
      run: runFrom({ val_loss: curve(N, (e) => 0.11 + 0.21 * Math.exp(-e / 5), 0.01, 5), val_accuracy: jitter((e) => 0.971 - 0.006 * Math.exp(-e / 5), 0.0003, 6) }, epochs),
    },
    {
      name: 'segmentation: val loss -24% while val accuracy 0.9858 -> 0.9884 (18% of its room to 1)',
      run: runFrom({ val_loss: curve(N, (e) => 0.0345 + 0.011 * Math.exp(-e / 6), 0.01, 7), val_accuracy: jitter((e) => 0.9884 - 0.0026 * Math.exp(-e / 6), 0.00005, 8) }, epochs),
    },
    {
      name: 'train accuracy at 1.0 from epoch 1 while the train loss keeps falling: a saturated metric cannot improve',
      run: runFrom({ loss: curve(N, (e) => 0.7 * Math.exp(-e / 5), 0.01, 9), accuracy: [0.5, ...Array.from({ length: N - 1 }, () => 1)] }, epochs),
    },
    { name: 'too few points', run: runFrom({ val_loss: [1, 0.8, 0.9], val_accuracy: [0.5, 0.6, 0.7] }, epochs) },
  ],
  invalid: [
    {
      name: 'over-confidence beside a train loss that keeps falling: C11 as well as C3 (the catalogue: "report C11, not only C3")',
      run: runFrom({ loss: curve(N, loss, 0.01, 1), accuracy: jitter(acc, 0.003, 2), val_loss: curve(N, overconfident, 0.01, 3), val_accuracy: jitter((e) => 0.6 + 0.3 * (e / N), 0.004, 4) }, epochs),
      findings: [{ severity: 'warning', evidence: { pattern: 'loss-up-metric-up', higherIsBetter: true } }],
    },
    {
      name: 'over-confidence: val loss up 30% from epoch 15 while val accuracy still improves, and the train loss does not fall meanwhile',
      run: runFrom({ loss: curve(N, (e) => (e <= 10 ? loss(e) : loss(10)), 0.01, 1), val_loss: curve(N, overconfident, 0.01, 3), val_accuracy: jitter((e) => 0.6 + 0.3 * (e / N), 0.004, 4) }, epochs),
      findings: [
        {
          severity: 'warning',
          steps: (s) => s !== null && s[0] >= 12 && s[0] <= 18 && s[1] === N - 1,
          message: /val_loss rose .* val_accuracy still improved .* over-confident/,
          evidence: { pattern: 'loss-up-metric-up', lossMinStep: between(12, 18), lossRiseRelative: gte(0.1), higherIsBetter: true },
        },
      ],
    },
    {
      name: 'train loss falls 70% while train accuracy stays at chance (10 classes)',
      run: runFrom({ loss: curve(N, loss, 0.02, 1), accuracy: jitter(() => 0.1, 0.01, 2) }, epochs),
      findings: [{ severity: 'warning', message: /did not/, evidence: { pattern: 'loss-down-metric-flat', lossImprovement: gte(0.5), lossImprovementThreshold: 0.2 } }],
    },
    {
      name: 'lower-is-better metric getting worse while the loss improves',
      run: runFrom({ 'train/loss': curve(N, loss, 0.02, 1), 'train/mae': curve(N, (e) => 1 + e / N, 0.01, 2) }, epochs),
      findings: [{ severity: 'warning', evidence: { pattern: 'loss-down-metric-flat', higherIsBetter: false } }],
    },
  ],
});

describe('C11 without a metric', () => {
  it('returns no finding', () => {
    expect(runCheck(c11LossMetricDisagreement, { name: 'loss only', run: runFrom({ loss: [2, 1, 0.5, 0.4, 0.3, 0.2, 0.1] }) })).toEqual([]);
  });
});
