import { describe, expect, it } from 'vitest';
import { curve, gaussianHistogram, runFrom } from '../test-support/runs.js';
import { between, gte, ruleTable, runCheck } from '../test-support/rule-table.js';
import { t2ExplodingGradients } from './t2-exploding-gradients.js';

const N = 200;
const steady = (level: number, seed: number, noise = 0.5) => curve(N, () => level, noise, seed);
const hist = (stds: readonly number[]) => ({ steps: stds.map((_, i) => i * 10), histograms: stds.map((s) => gaussianHistogram(0, s, 1000)) });

ruleTable(t2ExplodingGradients, {
  valid: [
    { name: 'Hugging Face grad_norm fluctuating 0.5-3', run: runFrom({ grad_norm: steady(1.5, 1, 0.7), loss: curve(N, (i) => 0.7 - i / 1000, 0.1, 2) }) },
    { name: 'one 1000x spike that recovers', run: runFrom({ grad_norm: steady(1, 1, 0.3).map((v, i) => (i === 120 ? 1000 : v)) }) },
    { name: 'per-layer norms shrinking as training converges', run: runFrom({ 'grad_norm/dense_1': curve(N, (i) => 5 * Math.exp(-i / 50) + 0.1, 0.2, 1), 'grad_norm/dense_2': curve(N, (i) => 2 * Math.exp(-i / 50) + 0.05, 0.2, 2) }) },
    { name: 'growth of 5x (below 10x)', run: runFrom({ grad_norm: curve(N, (i) => 0.5 * 5 ** (i / N), 0.1, 1) }) },
    { name: 'small gradients next to normal weights', run: runFrom({ 'grad_norm/fc1': steady(0.01, 1, 0.2), 'weight_norm/fc1': steady(10, 2, 0.01) }) },
    { name: 'zero-initialised bias: weight norm 0 is not divided by', run: runFrom({ 'grad_norm/fc1.bias': steady(0.5, 1, 0.2), 'weight_norm/fc1.bias': steady(1e-9, 2, 0) }) },
    { name: 'growth then plateau at 10x: not still rising', run: runFrom({ grad_norm: curve(N, (i) => (i < 60 ? 0.1 * 10 ** (i / 60) : 1), 0.1, 1) }) },
    { name: 'a vanishing start that wakes up: 1e-6 -> 4e-3 (T3, not an explosion)', run: runFrom({ 'grad_norm/hidden1': curve(N, (i) => 1e-6 * 4000 ** (i / N), 0.1, 1) }) },
    { name: 'a dip that recovers: 0.5 -> 0.05 -> 0.9, still rising at the end', run: runFrom({ 'grad_norm/out/bias': curve(N, (i) => (i < 130 ? 0.5 * 10 ** (-i / 130) : 0.05 * 18 ** ((i - 130) / 70)), 0.05, 1) }) },
  ],
  invalid: [
    {
      name: 'run-level grad_norm grows 10^4x: error',
      run: runFrom({ grad_norm: curve(N, (i) => 0.5 * 10 ** ((4 * i) / N), 0.2, 1) }),
      findings: [{ severity: 'error', layer: null, message: /grad_norm grew .* still rising/, evidence: { growthDecades: gte(3), errorDecades: 2, fromStep: between(0, 20) } }],
    },
    {
      name: 'one layer grows 30x and is still rising: warning naming the layer',
      run: runFrom({ 'grad_norm/dense_1': steady(1, 1, 0.2), 'grad_norm/dense_2': curve(N, (i) => 0.2 * 30 ** (i / N), 0.1, 2) }),
      findings: [{ severity: 'warning', layer: 'dense_2', evidence: { growthDecades: between(1, 2), warnDecades: 1 } }],
    },
    {
      name: 'gradient norm turns Infinity then NaN',
      run: runFrom({ 'grad_norm/lstm': steady(1, 1, 0.2).map((v, i) => (i === 150 ? Infinity : i > 150 ? NaN : v)), 'grad_norm/dense': steady(1, 2, 0.2) }),
      findings: [{ severity: 'error', layer: 'lstm', steps: [150, N - 1], evidence: { step: 150, value: 'Infinity', curvesAffected: 1 } }],
    },
    {
      name: 'gradient 500x the weight norm of its layer',
      run: runFrom({ 'grad_norm/fc1': steady(50, 1, 0.1), 'weight_norm/fc1': steady(0.1, 2, 0.01), 'grad_norm/fc2': steady(0.1, 3, 0.1), 'weight_norm/fc2': steady(5, 4, 0.01) }),
      findings: [{ severity: 'warning', layer: 'fc1', evidence: { gradToWeight: between(400, 600), threshold: 100, layersAffected: 1 } }],
    },
    {
      name: 'gradients/<layer> histograms widening 1000x',
      run: runFrom({}, { histograms: { 'gradients/conv1': hist(Array.from({ length: 30 }, (_, i) => 0.01 * 10 ** (i / 10))), 'gradients/conv2': hist(Array.from({ length: 30 }, () => 0.01)) } }),
      findings: [{ severity: 'error', layer: 'conv1', evidence: { growthDecades: gte(2.5) } }],
    },
  ],
});

describe('T2 without gradient telemetry', () => {
  it('returns no finding', () => {
    expect(runCheck(t2ExplodingGradients, { name: 'loss only', run: runFrom({ loss: [2, 1, 0.5] }) })).toEqual([]);
  });
});
