import { describe, expect, it } from 'vitest';
import { curve, gaussianHistogram, runFrom } from '../test-support/runs.js';
import { between, ruleTable, runCheck } from '../test-support/rule-table.js';
import { t3VanishingGradients } from './t3-vanishing-gradients.js';

const N = 50;
const g = (level: number, seed: number) => curve(N, () => level, 0.3, seed);
const tenSteps = Array.from({ length: 50 }, (_, i) => i * 10);
/** Histograms of `num` elements every 50 steps (one per 5 norm points). */
const every50 = (num: number) => ({ steps: tenSteps.filter((s) => s % 50 === 0), histograms: tenSteps.filter((s) => s % 50 === 0).map(() => gaussianHistogram(0, 1e-3, num)) });
const hist = (std: number, num: number) => ({ steps: [0, 10, 20, 30], histograms: [0, 1, 2, 3].map(() => gaussianHistogram(0, std, num)) });

ruleTable(t3VanishingGradients, {
  valid: [
    { name: 'all layers within 10x', run: runFrom({ 'grad_norm/conv1': g(0.5, 1), 'grad_norm/conv2': g(0.3, 2), 'grad_norm/fc': g(0.1, 3) }) },
    { name: 'input layer larger than output layer (normal for an MLP)', run: runFrom({ 'grad_norm/fc1': g(2, 1), 'grad_norm/fc2': g(0.5, 2), 'grad_norm/out': g(0.2, 3) }) },
    { name: '50x spread (below 100x)', run: runFrom({ 'grad_norm/l1': g(0.002, 1), 'grad_norm/l2': g(0.1, 2) }) },
    { name: 'tiny bias and embedding gradients are not compared', run: runFrom({ 'grad_norm/embedding.weight': g(1e-6, 1), 'grad_norm/fc1.weight': g(0.1, 2), 'grad_norm/fc1.bias': g(1e-9, 3), 'grad_norm/fc2.weight': g(0.2, 4) }) },
    { name: 'early layers vanish only at the start, recover later', run: runFrom({ 'grad_norm/l1': curve(N, (i) => (i < 10 ? 1e-6 : 0.05), 0.1, 1), 'grad_norm/l2': g(0.1, 2) }) },
    { name: 'a single layer', run: runFrom({ 'grad_norm/only': g(1e-9, 1) }) },
    {
      name: 'starved for the first 4 of 8 samples, then recovered: too short a stretch to say',
      run: runFrom({ 'grad_norm/rnn1/kernel': curve(8, (i) => (i < 4 ? 1e-6 : 0.05), 0.1, 1), 'grad_norm/output/kernel': curve(8, () => 0.1, 0.1, 2) }, { every: 10 }),
    },
    {
      name: 'first layer gets 2.8x the output gradient, a middle layer ~0 (unscaled inputs): the input side is not starved',
      run: runFrom({ 'grad_norm/hidden1/kernel': g(2.8, 1), 'grad_norm/hidden2/kernel': g(1e-9, 2), 'grad_norm/hidden3/kernel': g(0.5, 3), 'grad_norm/output/kernel': g(1, 4) }),
    },
    {
      name: 'first layer at the output level, a middle layer 1e4x below its successor',
      run: runFrom({ 'grad_norm/hidden1/kernel': g(1, 1), 'grad_norm/hidden2/kernel': g(1e-5, 2), 'grad_norm/hidden3/kernel': g(0.1, 3), 'grad_norm/output/kernel': g(0.4, 4) }),
    },
    {
      // corpus run tuning-rnn32-adam-lr-spike-s1: the recurrent kernel sums its gradient over 28 time steps
      name: "an RNN's input kernel 400x below its own recurrent kernel, at the output's level",
      run: runFrom({ 'grad_norm/rnn1/kernel': g(4e-3, 1), 'grad_norm/rnn1/recurrent_kernel': g(1.6, 2), 'grad_norm/output/kernel': g(0.02, 3) }),
    },
  ],
  invalid: [
    {
      name: 'an RNN whose input kernel is 500x below the layers after it',
      run: runFrom({ 'grad_norm/rnn1/kernel': g(2e-4, 1), 'grad_norm/rnn1/recurrent_kernel': g(0.5, 2), 'grad_norm/hidden1/kernel': g(0.1, 3), 'grad_norm/output/kernel': g(0.1, 4) }),
      findings: [{ severity: 'warning', evidence: { earlyLayer: 'rnn1/kernel', lateLayer: 'hidden1/kernel' } }],
    },
    {
      name: 'norms fall 10x per layer toward the input: 1000x',
      run: runFrom({ 'grad_norm/l1': g(1e-5, 1), 'grad_norm/l2': g(1e-4, 2), 'grad_norm/l3': g(1e-3, 3), 'grad_norm/l4': g(1e-2, 4) }),
      findings: [{ severity: 'warning', layer: 'l1', message: /vanish toward the input: layer l1 .* below later layer l4/, evidence: { earlyLayer: 'l1', lateLayer: 'l4', ratio: between(300, 3000), warnRatio: 100, measure: 'norm' } }],
    },
    {
      // corpus run tuning-rnn32-adam-deep-sigmoid-s1: the RNN kernel got ~1e-5 of the output's gradient for half the run, then 1/25
      name: 'input side starved for the first half, recovered since: warning over the first half',
      run: runFrom({ 'grad_norm/rnn1/kernel': curve(N, (i) => (i < 25 ? 1e-6 : 0.004), 0.2, 1), 'grad_norm/output/kernel': g(0.1, 2) }, { every: 10 }),
      findings: [
        {
          severity: 'warning',
          layer: 'rnn1/kernel',
          steps: [0, 240],
          message: /^Over the first half of the run \(steps 0-240\): Gradients vanish toward the input: .* recovered in the second half/,
          evidence: { window: 'first half', earlyLayer: 'rnn1/kernel', ratio: between(3e4, 3e5) },
        },
      ],
    },
    {
      name: 'a first layer at ~0 for the first half is still only a warning once it recovered',
      run: runFrom({ 'grad_norm/l1': curve(N, (i) => (i < 25 ? 1e-11 : 0.05), 0.2, 1), 'grad_norm/l2': g(0.1, 2) }),
      findings: [{ severity: 'warning', layer: 'l1', evidence: { window: 'first half', layersNearZero: 1 } }],
    },
    {
      name: '10^5x: error',
      run: runFrom({ 'grad_norm/l1': g(1e-6, 1), 'grad_norm/l2': g(1e-3, 2), 'grad_norm/l3': g(0.1, 3) }),
      findings: [{ severity: 'error', layer: 'l1', steps: [25, 49], evidence: { window: 'second half', ratio: between(3e4, 3e5), errorRatio: 1e4 } }],
    },
    {
      name: 'first layer gets ~0 gradient',
      run: runFrom({ 'grad_norm/conv1': g(1e-11, 1), 'grad_norm/conv2': g(0.1, 2), 'grad_norm/fc': g(0.2, 3) }),
      findings: [{ severity: 'error', layer: 'conv1', message: /conv1 is ~0/, evidence: { layersNearZero: 1, nearZeroThreshold: 1e-8 } }],
    },
    {
      name: 'every layer gets ~0 gradient',
      run: runFrom({ 'grad_norm/conv1': g(1e-12, 1), 'grad_norm/fc': g(1e-10, 2) }),
      findings: [{ severity: 'error', message: /every layer/, evidence: { layersNearZero: 2 } }],
    },
    {
      name: 'per-element RMS from gradient histograms (sizes differ)',
      run: runFrom({}, { histograms: { 'gradients/big_in': hist(1e-6, 100000), 'gradients/small_out': hist(1e-3, 100) } }),
      findings: [{ severity: 'warning', layer: 'big_in', evidence: { measure: 'rms', ratio: between(500, 2000) } }],
    },
    {
      // the TF.js doctor: norms every 10 steps, histograms every 50; norms 12.5x apart, 784x32 vs 32x10 elements: RMS 110x
      name: 'per-element RMS when histograms are logged less often than the norms',
      run: runFrom(
        { 'grad_norm/hidden1/kernel': { steps: tenSteps, values: tenSteps.map(() => 0.04) }, 'grad_norm/output/kernel': { steps: tenSteps, values: tenSteps.map(() => 0.5) } },
        { histograms: { 'gradients/hidden1/kernel': every50(784 * 32), 'gradients/output/kernel': every50(32 * 10) } },
      ),
      findings: [{ severity: 'warning', layer: 'hidden1/kernel', evidence: { measure: 'rms', ratio: between(105, 115) } }],
    },
  ],
});

describe('T3 without per-layer data', () => {
  it('returns no finding', () => {
    expect(runCheck(t3VanishingGradients, { name: 'run-level only', run: runFrom({ grad_norm: [1, 2, 3], loss: [1, 0.5, 0.2] }) })).toEqual([]);
  });
});
