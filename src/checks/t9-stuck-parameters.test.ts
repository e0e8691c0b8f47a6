import { describe, expect, it } from 'vitest';
import { curve, gaussianHistogram, runFrom } from '../test-support/runs.js';
import { ruleTable, runCheck } from '../test-support/rule-table.js';
import { t9StuckParameters } from './t9-stuck-parameters.js';

const steps = [0, 100, 200, 300, 400];
const moving = (std: number) => ({ steps, histograms: steps.map((s) => gaussianHistogram(0.001 * s, std * (1 + s / 1000), 1000)) });
const frozen = (std: number) => ({ steps, histograms: steps.map(() => gaussianHistogram(0, std, 1000)) });

ruleTable(t9StuckParameters, {
  valid: [
    { name: 'every layer changes', run: runFrom({}, { histograms: { 'parameters/conv1': moving(0.1), 'parameters/fc': moving(0.05) } }) },
    { name: 'a single logged step says nothing', run: runFrom({}, { histograms: { 'parameters/conv1': { steps: [0], histograms: [gaussianHistogram(0, 0.1, 100)] } } }) },
    { name: 'norms that change by only 1e-5 relative still change', run: runFrom({ 'weight_norm/a': steps.map((_, i) => 10 * (1 + 1e-5 * i)), 'weight_norm/b': curve(5, () => 3, 0.1, 1) }) },
  ],
  invalid: [
    {
      name: 'one layer identical at every step while the others learn',
      run: runFrom({}, { histograms: { 'parameters/conv1': frozen(0.1), 'parameters/conv2': moving(0.1), 'parameters/fc': moving(0.05) } }),
      findings: [{ severity: 'warning', layer: 'conv1', steps: [0, 400], message: /1 of 3 layers never changed .*: conv1/, evidence: { stuckCount: 1, changingCount: 2, stuckLayers: 'conv1', relativeTolerance: 1e-7 } }],
    },
    {
      name: 'no layer changes: the model does not update',
      run: runFrom({}, { histograms: { 'parameters/conv1': frozen(0.1), 'parameters/fc': frozen(0.05) } }),
      findings: [{ severity: 'warning', layer: null, message: /model does not update/, evidence: { stuckCount: 2, changingCount: 0, loggedStates: 5 } }],
    },
    {
      name: 'weight-norm scalars only: a frozen backbone layer',
      run: runFrom({ 'weight_norm/backbone.0': [5, 5, 5, 5, 5], 'weight_norm/head': [1, 1.1, 1.3, 1.4, 1.6] }),
      findings: [{ severity: 'warning', layer: 'backbone.0', evidence: { stuckLayers: 'backbone.0' } }],
    },
  ],
});

describe('T9 without per-layer data', () => {
  it('returns no finding', () => {
    expect(runCheck(t9StuckParameters, { name: 'none', run: runFrom({ loss: [1, 0.5] }) })).toEqual([]);
  });
});
