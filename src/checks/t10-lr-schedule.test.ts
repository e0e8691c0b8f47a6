import { describe, expect, it } from 'vitest';
import { runFrom } from '../test-support/runs.js';
import { between, ruleTable, runCheck } from '../test-support/rule-table.js';
import { t10LrSchedule } from './t10-lr-schedule.js';

const N = 1000;
const steps = Array.from({ length: N }, (_, i) => i);
const lr = (f: (t: number) => number) => ({ steps, values: steps.map((s) => f(s / (N - 1))) });
const loss = { steps, values: steps.map((s) => 2 * Math.exp(-s / 300) + 0.1) };

ruleTable(t10LrSchedule, {
  valid: [
    { name: 'constant lr', run: runFrom({ loss, lr: lr(() => 1e-3) }) },
    { name: 'cosine decay reaching 0 at the last step', run: runFrom({ loss, lr: lr((t) => 1e-3 * 0.5 * (1 + Math.cos(Math.PI * t))) }) },
    { name: 'linear decay to 0 at the end (Hugging Face default)', run: runFrom({ loss, learning_rate: lr((t) => 2e-4 * (1 - t)) }) },
    { name: 'warm-up from 0, then constant', run: runFrom({ loss, lr: lr((t) => 1e-3 * Math.min(1, t / 0.1)) }) },
    { name: 'warm-up from 0, then cosine to 0 at the end', run: runFrom({ loss, lr: lr((t) => (t < 0.05 ? 1e-3 * (t / 0.05) : 1e-3 * 0.5 * (1 + Math.cos((Math.PI * (t - 0.05)) / 0.95)))) }) },
    {
      name: 'SGDR warm restarts dip to ~0 and come back',
      run: runFrom({ loss, lr: lr((t) => 1e-3 * 0.5 * (1 + Math.cos(Math.PI * ((t * 4) % 1)))) }),
    },
    { name: 'step decay x0.1 twice (stays at 1% of peak, not below)', run: runFrom({ loss, lr: lr((t) => (t < 0.5 ? 0.1 : t < 0.75 ? 0.01 : 0.0011)) }) },
    { name: 'a single lr value', run: runFrom({ loss, lr: [1e-3] }) },
  ],
  invalid: [
    {
      name: 'exponential decay reaches 1% of the peak at 44% of the run',
      run: runFrom({ loss, lr: lr((t) => 0.1 * 0.9 ** (t * 100)) }),
      findings: [
        {
          severity: 'warning',
          steps: (s) => s !== null && s[0] >= 430 && s[0] <= 450 && s[1] === N - 1,
          message: /at step 4\d\d, 4\d% into the run/,
          evidence: { zeroStep: between(430, 450), peakLr: 0.1, nearZeroRelative: 0.01, runShareAtZero: between(0.43, 0.45), earlyShareThreshold: 0.8 },
        },
      ],
    },
    {
      name: 'cosine schedule sized for 1/3 of the run, then clamped at 0',
      run: runFrom({ loss, lr: lr((t) => (t < 1 / 3 ? 1e-3 * 0.5 * (1 + Math.cos(3 * Math.PI * t)) : 0)) }),
      findings: [{ severity: 'warning', evidence: { runShareAtZero: between(0.3, 0.34) } }],
    },
    {
      name: 'absolute floor: 1e-6 -> 5e-8 by the middle',
      run: runFrom({ loss, lr: lr((t) => (t < 0.5 ? 1e-6 * (1 - 1.9 * t) : 5e-8)) }),
      findings: [{ severity: 'warning', evidence: { nearZeroThreshold: 1e-7 } }],
    },
    {
      name: 'negative lr (gradient ascent)',
      run: runFrom({ loss, lr: lr(() => -1e-3) }),
      findings: [{ severity: 'error', message: /is negative \(-0.001\) from step 0: .*gradient ascent/, evidence: { negativeFrom: 0, negativePoints: N } }],
    },
    {
      name: 'lr of 0 throughout',
      run: runFrom({ loss, lr: lr(() => 0) }),
      findings: [{ severity: 'warning', message: /never moves the weights/ }],
    },
  ],
});

describe('T10 without an lr curve', () => {
  it('returns no finding', () => {
    expect(runCheck(t10LrSchedule, { name: 'no lr', run: runFrom({ loss }) })).toEqual([]);
  });
});
