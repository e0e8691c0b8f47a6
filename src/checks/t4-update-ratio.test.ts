import { describe, expect, it } from 'vitest';
import { curve, runFrom } from '../test-support/runs.js';
import { between, ruleTable, runCheck } from '../test-support/rule-table.js';
import { t4UpdateRatio } from './t4-update-ratio.js';

const N = 20;
const r = (level: number, seed: number) => curve(N, () => level, 0.3, seed);

ruleTable(t4UpdateRatio, {
  valid: [
    { name: 'ratios around 1e-3', run: runFrom({ 'update_ratio/l1/kernel': r(1e-3, 1), 'update_ratio/l2/kernel': r(3e-3, 2), 'update_ratio/out/kernel': r(5e-4, 3) }) },
    { name: 'Adam-typical 1e-2 and a slow 2e-5 layer', run: runFrom({ 'update_ratio/l1/kernel': r(1e-2, 1), 'update_ratio/l2/kernel': r(2e-5, 2) }) },
    { name: 'biases and normalisation parameters are not judged', run: runFrom({ 'update_ratio/l1/kernel': r(1e-3, 1), 'update_ratio/l1/bias': r(5, 2), 'update_ratio/bn1/gamma': r(1e-8, 3) }) },
    { name: 'large updates only in the first half (warm-up, zero-ish init)', run: runFrom({ 'update_ratio/l1/kernel': curve(N, (i) => (i < 10 ? 0.5 : 1e-3), 0.1, 1) }) },
    {
      name: 'tiny late updates under a decayed learning rate (T10 judges the schedule)',
      run: runFrom({ 'update_ratio/l1/kernel': curve(N, (i) => 1e-3 * 0.5 ** i, 0, 1), lr: curve(N, (i) => 1e-2 * 0.5 ** i, 0, 1) }),
    },
  ],
  invalid: [
    {
      name: 'updates a third of the weights each step',
      run: runFrom({ 'update_ratio/l1/kernel': r(1e-3, 1), 'update_ratio/l2/kernel': r(0.3, 2) }, { every: 25 }),
      findings: [{ severity: 'warning', layer: 'l2/kernel', steps: [250, 475], message: /changes l2\/kernel by 3\.\de-1 of its norm .* overshoot/, evidence: { ratio: between(0.2, 0.45), warnAbove: 0.1, errorAbove: 1, layersAffected: 1 } }],
    },
    {
      name: 'updates larger than the weights: error, worst layer first',
      run: runFrom({ 'update_ratio/l1/kernel': r(0.2, 1), 'update_ratio/l2/kernel': r(4, 2) }),
      findings: [{ severity: 'error', layer: 'l2/kernel', message: /also l1\/kernel=/, evidence: { ratio: between(3, 5), layersAffected: 2 } }],
    },
    {
      name: 'barely learning',
      run: runFrom({ 'update_ratio/l1/kernel': r(1e-7, 1), 'update_ratio/l2/kernel': r(1e-3, 2) }),
      findings: [{ severity: 'warning', layer: 'l1/kernel', message: /only \d\.\de-[78] .* barely learning/, evidence: { warnBelow: 1e-5, target: 1e-3 } }],
    },
    {
      name: 'one layer too fast and one too slow',
      run: runFrom({ 'update_ratio/a/kernel': r(0.5, 1), 'update_ratio/b/kernel': r(0, 2) }),
      findings: [
        { severity: 'warning', layer: 'a/kernel', message: /overshoot/ },
        { severity: 'warning', layer: 'b/kernel', message: /only 0 of its norm/, evidence: { ratio: 0 } },
      ],
    },
    {
      name: 'too few sampled points',
      run: runFrom({ 'update_ratio/l1/kernel': [0.5, 0.5, 0.5] }),
      findings: [{ severity: 'info', evidence: { insufficientData: true, needed: 3 } }],
    },
  ],
});

describe('T4 on a long run', () => {
  it('reads a 300k-point lr series without spreading it into arguments (no stack overflow)', () => {
    const n = 300_000;
    const lr = Array.from({ length: n }, () => 1e-3);
    // A layer whose updates are tiny makes T4 ask whether the lr schedule decayed (the path that read the lr series).
    const findings = runCheck(t4UpdateRatio, { name: 'long', run: runFrom({ 'update_ratio/l1/kernel': r(1e-9, 1), lr }) });
    expect(findings.map((f) => f.layer)).toEqual(['l1/kernel']);
  });
});
