import { describe, expect, it } from 'vitest';
import { gaussianHistogram, runFrom } from '../test-support/runs.js';
import { histogramNorm, layerCurves, layerHistograms } from './layers.js';

const h = gaussianHistogram(0, 0.1, 1000);

describe('layer telemetry by tag convention', () => {
  it('reads nndoctor, Lightning and W&B names', () => {
    const run = runFrom(
      { 'grad_norm/dense_1': [1, 2], 'grad_norm/dense_2': [3, 4], 'train/grad_2.0_norm/fc.weight': [5, 6], weight_norm: [1, 1] },
      { histograms: { 'parameters/fc1.weight': { steps: [0, 1], histograms: [h, h] }, 'gradients/fc1.weight': { steps: [0, 1], histograms: [h, h] } } },
    );
    expect([...layerCurves(run, 'grad_norm').keys()]).toEqual(['dense_1', 'dense_2', 'fc.weight']);
    expect([...layerHistograms(run, 'parameters').keys()]).toEqual(['fc1.weight']);
    expect([...layerHistograms(run, 'gradients').keys()]).toEqual(['fc1.weight']);
  });

  it("reads Keras TensorBoard weight histograms (`train/dense_3/kernel_0/histogram`)", () => {
    const run = runFrom({}, { histograms: { 'train/dense_3/kernel_0/histogram': { steps: [0], histograms: [h] }, 'train/dense_3/bias_0/histogram': { steps: [0], histograms: [h] } } });
    expect([...layerHistograms(run, 'parameters').keys()]).toEqual(['dense_3/kernel', 'dense_3/bias']);
  });

  it('does not take gradient histograms in Keras-like names for parameters', () => {
    const run = runFrom({}, { histograms: { 'gradients/hidden1/bias': { steps: [0], histograms: [h] }, 'parameters/hidden1/bias': { steps: [0], histograms: [h] } } });
    expect([...layerHistograms(run, 'parameters').keys()]).toEqual(['hidden1/bias']);
    expect([...layerHistograms(run, 'gradients').keys()]).toEqual(['hidden1/bias']);
  });

  it('reads the dead-unit fraction per layer', () => {
    const run = runFrom({ 'act_dead_frac/dense_1': [0.1, 0.2], 'act_dead_frac/sparse_dense': [0, 0] });
    expect([...layerCurves(run, 'act_dead_frac').keys()]).toEqual(['dense_1', 'sparse_dense']);
  });

  it('derives weight norms from parameter histograms when no norm scalars exist', () => {
    const run = runFrom({}, { histograms: { 'parameters/w': { steps: [0, 1], histograms: [h, gaussianHistogram(0, 0.2, 1000)] } } });
    const norms = layerCurves(run, 'weight_norm').get('w')?.values ?? [];
    expect(norms).toHaveLength(2);
    expect((norms[1] as number) / (norms[0] as number)).toBeCloseTo(2, 1);
  });

  it('estimates the norm from buckets, clamped to [min, max], when the sum of squares is unknown', () => {
    const est = histogramNorm({ ...h, sumSquares: NaN, bucketLimits: [...h.bucketLimits.slice(0, -1), Number.MAX_VALUE] });
    expect(est).toBeCloseTo(histogramNorm(h), 0);
    expect(Number.isFinite(est)).toBe(true);
  });
});
