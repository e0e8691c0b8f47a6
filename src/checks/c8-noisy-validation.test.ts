import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveCurves } from '../telemetry/curves.js';
import { loadRealRun, realLabelledPath } from '../test-support/real-runs.js';
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
    {
      name: 'a wild first evaluation (batch norm) that halves at the next is no jump pattern',
      run: runFrom({ loss: curve(20, loss, 0.01, 3), val_loss: curve(20, loss, 0.01, 4).map((v, e) => (e === 0 ? 9 : v)) }, { unit: 'epoch' }),
    },
    {
      name: 'val halving once and staying there (an lr step) is a level change, not noise',
      run: runFrom({ loss: curve(20, (e) => (e < 10 ? 1 : 0.8), 0.005, 3), val_loss: curve(20, (e) => (e < 10 ? 1.2 : 0.55), 0.005, 4) }, { unit: 'epoch' }),
    },
    {
      name: 'val jumping 3x with the train loss (an unstable run: C9, not C8)',
      run: runFrom({ loss: curve(20, (e) => (e % 4 === 2 ? 3 : 1), 0.01, 3), val_loss: curve(20, (e) => (e % 4 === 2 ? 3.3 : 1.1), 0.01, 4) }, { unit: 'epoch' }),
    },
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
      // +-50% noise makes consecutive evaluations differ by up to 3x: the jump pattern is met first.
      findings: [{ severity: 'warning', evidence: { pattern: 'jumps', ups: gte(1), downs: gte(1), jumpFactor: 2 } }],
    },
  ],
});

describe('C8 val-loss jumps (real shapes)', () => {
  it('Keras CNN, 10 epochs, val loss 0.33 -> 0.92 -> 0.25 while train falls smoothly (lungcancer)', () => {
    const r = runFrom(
      {
        loss: [0.5955, 0.2746, 0.2479, 0.2306, 0.2042, 0.2802, 0.2198, 0.1545, 0.1571, 0.1653],
        val_loss: [0.6099, 0.9605, 0.3926, 0.3292, 0.9239, 0.2474, 0.4261, 0.1624, 0.1701, 0.2894],
      },
      { unit: 'epoch' },
    );
    const [f] = runCheck(c8NoisyValidation, { name: 'lungcancer', run: r });
    expect(f?.evidence).toMatchObject({ pattern: 'jumps', ups: 1, downs: 2 });
  });
  it('one 10x val spike among ~15% jitter while train moves < 1% per epoch (cnntention a201c3ae, MLflow)', () => {
    const train = Array.from({ length: 90 }, (_, e) => 0.62 + 1.0 * Math.exp(-e / 3));
    const val = curve(90, (e) => 0.85 + 0.9 * Math.exp(-e / 3), 0.15, 12).map((v, e) => (e === 72 ? 7.69 : v));
    const [f] = runCheck(c8NoisyValidation, { name: 'a201', run: runFrom({ train_loss: train, valid_loss: val }, { unit: 'epoch' }) });
    expect(f?.evidence).toMatchObject({ pattern: 'jumps', ups: 1, downs: 1, firstJumpStep: 72 });
    expect(f?.message).toMatch(/valid_loss jumps by 2x or more .* while train_loss does not/);
  });
});

describe('C8 without validation', () => {
  it('returns no finding', () => {
    expect(runCheck(c8NoisyValidation, { name: 'train only', run: runFrom({ loss: [2, 1, 0.5] }) })).toEqual([]);
  });
});

describe('C8 on an accuracy logged in percent (0..100)', () => {
  const rel = 'wandb/clip_cifar100/wandb/run-20240414_232644-mc13xrth';
  it.skipIf(!existsSync(realLabelledPath(rel)))('takes the 2-point binomial floor of a proportion, not 10% of a low level (a collapsed run, val acc 5-19% with ~1 point of jitter: W&B clip_cifar100 mc13xrth)', async () => {
    const run = await loadRealRun(rel);
    expect(c8NoisyValidation.run({ run, curves: resolveCurves(run) })).toEqual([]);
  });
  it('still fires on 6 points of jitter in percent, and names the val set size in examples', () => {
    const r = runFrom({ accuracy: jitter(N, (e) => acc(e) * 100, 0.3, 1), val_accuracy: jitter(N, (e) => (acc(e) - 0.05) * 100, 10, 2) }, { unit: 'epoch' });
    const [f] = runCheck(c8NoisyValidation, { name: 'percent, 6 points', run: r });
    expect(f?.evidence).toMatchObject({ pattern: 'jitter', minJitter: 2 });
    expect(f?.evidence['impliedValExamples'] as number).toBeLessThan(1000);
  });
});
