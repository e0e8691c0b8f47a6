import { describe, expect, it } from 'vitest';
import type { Histogram } from '../telemetry/series.js';
import { curve, gaussianHistogram, runFrom } from '../test-support/runs.js';
import { between, gte, ruleTable, runCheck } from '../test-support/rule-table.js';
import { t8ParameterDrift } from './t8-parameter-drift.js';

const N = 40;
const steps = Array.from({ length: N }, (_, i) => i * 100);
const series = (f: (i: number) => Histogram) => ({ steps, histograms: steps.map((_, i) => f(i)) });
/** A histogram over [-1.5, 1.5] in 30 buckets with counts from a density. */
const shaped = (density: (x: number) => number, num = 10000): Histogram => {
  const limits = Array.from({ length: 30 }, (_, b) => -1.5 + (b + 1) * 0.1);
  const raw = limits.map((r) => density(r - 0.05));
  const total = raw.reduce((a, b) => a + b, 0);
  const counts = raw.map((c) => (c / total) * num);
  const centres = limits.map((r) => r - 0.05);
  const sum = counts.reduce((a, c, i) => a + c * (centres[i] as number), 0);
  const sumSquares = counts.reduce((a, c, i) => a + c * (centres[i] as number) ** 2, 0);
  return { min: -1.5, max: 1.5, num, sum, sumSquares, bucketLimits: limits, bucketCounts: counts };
};
const bell = (x: number) => Math.exp(-(x * x) / 0.18);
const uniform = () => 1;
const bimodal = (x: number) => Math.exp(-((x - 0.8) ** 2) / 0.02) + Math.exp(-((x + 0.8) ** 2) / 0.02);
const edges = (x: number) => (Math.abs(x) > 1.3 ? 20 : 0.5);

ruleTable(t8ParameterDrift, {
  valid: [
    { name: 'weight norms growing 1.6x (normal learning)', run: runFrom({ 'weight_norm/dense_1': curve(N, (i) => 12 + (8 * i) / N, 0.01, 1), 'weight_norm/dense_2': curve(N, (i) => 8 + (5 * i) / N, 0.01, 2) }) },
    { name: 'zero-initialised bias learning from 0 to 0.5', run: runFrom({ 'weight_norm/dense_1.bias': curve(N, (i) => (0.5 * i) / N, 0, 1) }) },
    { name: 'output bias initialised at a large target mean (M4) and staying there', run: runFrom({}, { histograms: { 'parameters/out.bias': series(() => gaussianHistogram(200, 1, 10)) } }) },
    { name: 'grew 20x early, flat since', run: runFrom({ 'weight_norm/emb': curve(N, (i) => (i < 10 ? 0.5 * 20 ** (i / 10) : 10), 0.01, 1) }) },
    { name: 'Gaussian weight histograms that widen a little', run: runFrom({}, { histograms: { 'parameters/fc1.weight': series((i) => gaussianHistogram(0, 0.05 + i * 0.001, 5000)) } }) },
  ],
  invalid: [
    {
      name: 'weight norm grows 50x and is still rising',
      run: runFrom({ 'weight_norm/dense_1': curve(N, (i) => 2 * 50 ** (i / (N - 1)), 0.02, 1), 'weight_norm/dense_2': curve(N, () => 3, 0.01, 2) }),
      findings: [{ severity: 'warning', layer: 'dense_1', steps: (s) => s !== null && s[1] === N - 1, evidence: { growth: between(20, 80), warnGrowth: 10 } }],
    },
    {
      name: 'weight norm grows 10^4x: error',
      run: runFrom({ 'weight_norm/rnn': curve(N, (i) => 10 ** ((4 * i) / N), 0.02, 1) }),
      findings: [{ severity: 'error', layer: 'rnn', evidence: { growth: gte(1000) } }],
    },
    {
      name: 'bias drifting from 0 to 150',
      run: runFrom({}, { histograms: { 'parameters/fc.bias': series((i) => gaussianHistogram((150 * i) / (N - 1), 0.5, 10)), 'parameters/fc.weight': series(() => gaussianHistogram(0, 0.05, 1000)) } }),
      findings: [{ severity: 'warning', layer: 'fc.bias', evidence: { biasMagnitude: gte(150), threshold: 100 } }],
    },
    {
      name: 'non-finite weights from step 3000',
      run: runFrom({}, { histograms: { 'parameters/conv1': series((i) => (i >= 30 ? { ...gaussianHistogram(0, 0.1, 100), sum: NaN, min: NaN } : gaussianHistogram(0, 0.1, 100))) } }),
      findings: [{ severity: 'error', layer: 'conv1', steps: [3000, 3000], evidence: { step: 3000 } }],
    },
    {
      name: 'bimodal weight histogram (info)',
      run: runFrom({}, { histograms: { 'parameters/fc2.weight': series((i) => (i < N - 1 ? shaped(bell) : shaped(bimodal))) } }),
      findings: [{ severity: 'info', layer: 'fc2.weight', message: /two separate modes/, evidence: { valleyRatio: between(0, 0.25) } }],
    },
    {
      name: 'most weights at the clip bounds (info)',
      run: runFrom({}, { histograms: { 'parameters/fc3.weight': series(() => shaped(edges)) } }),
      findings: [{ severity: 'info', layer: 'fc3.weight', evidence: { edgeMass: gte(0.5) } }],
    },
  ],
});

describe('T8 shape test stays quiet', () => {
  it('on uniform (Glorot-uniform init) and bell-shaped histograms', () => {
    const run = runFrom({}, { histograms: { 'parameters/a': series(() => shaped(uniform)), 'parameters/b': series(() => shaped(bell)) } });
    expect(runCheck(t8ParameterDrift, { name: 'shapes', run })).toEqual([]);
  });
  it('without per-layer data', () => {
    expect(runCheck(t8ParameterDrift, { name: 'none', run: runFrom({ loss: [1, 0.5] }) })).toEqual([]);
  });
});
