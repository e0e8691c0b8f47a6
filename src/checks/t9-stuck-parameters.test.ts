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
    {
      name: 'identical only over the last 2 of 8 logged states (too short a tail)',
      run: runFrom({ 'weight_norm/a': [1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.6], 'weight_norm/b': [2, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7] }),
    },
    {
      name: 'identical over the last 3 of 8 logged states (less than half the run)',
      run: runFrom({ 'weight_norm/a': [1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.5, 1.5], 'weight_norm/b': [2, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7] }),
    },
    {
      name: 'every parameter stops changing because the lr schedule reached 0 (T10 reports it)',
      run: runFrom({
        'weight_norm/fc1': [5, 5.2, 5.3, 5.35, 5.35, 5.35, 5.35, 5.35],
        'weight_norm/out': [1, 1.2, 1.25, 1.27, 1.27, 1.27, 1.27, 1.27],
        lr: [0.1, 0.05, 0.01, 0, 0, 0, 0, 0],
      }),
    },
    {
      name: 'every parameter identical throughout with a learning rate of 0 (T10 reports it)',
      run: runFrom({ 'weight_norm/fc1': [5, 5, 5, 5], 'weight_norm/out': [1, 1, 1, 1], lr: [0, 0, 0, 0] }),
    },
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
    {
      name: 'every parameter changed at the first update only, then never (SGD at lr 5 saturated every unit)',
      run: runFrom(
        {
          'weight_norm/hidden1/kernel': [9.53, 28.3, 28.3, 28.3, 28.3, 28.3, 28.3, 28.3],
          'weight_norm/hidden1/bias': [0, 2.96, 2.96, 2.96, 2.96, 2.96, 2.96, 2.96],
          'weight_norm/output/kernel': [3.98, 28.6, 28.6, 28.6, 28.6, 28.6, 28.6, 28.6],
          'weight_norm/output/bias': [0, 5.92, 5.92, 5.92, 5.92, 5.92, 5.92, 5.92],
          lr: [5, 5, 5, 5, 5, 5, 5, 5],
        },
        { every: 10 },
      ),
      findings: [{ severity: 'warning', layer: null, steps: [10, 70], message: /None of the 4 logged layers changed from step 10 to 70 \(changing only before that\).*does not update/, evidence: { stuckCount: 4, changingCount: 0, loggedStates: 7, stuckFromStep: 10 } }],
    },
    {
      name: 'every hidden parameter stuck after a first huge step, only the output bias still moves',
      run: runFrom(
        {
          'weight_norm/hidden1/kernel': [9, 40, 40, 40, 40, 40],
          'weight_norm/hidden1/bias': [0, 3, 3, 3, 3, 3],
          'weight_norm/output/kernel': [4, 20, 20, 20, 20, 20],
          'weight_norm/output/bias': [0, 1, 1.2, 1.3, 1.35, 1.38],
        },
        { every: 10 },
      ),
      findings: [{ severity: 'warning', layer: null, steps: [10, 50], message: /3 of 4 layers never changed from step 10 to 50 .* while the other 1 did: hidden1\/kernel, hidden1\/bias, output\/kernel/, evidence: { stuckCount: 3, changingCount: 1, stuckFromStep: 10 } }],
    },
    {
      name: 'frozen throughout while the lr is positive (a rate of 0 only before the stretch does not excuse it)',
      run: runFrom({ 'weight_norm/fc1': [5, 5, 5, 5], 'weight_norm/out': [1, 1.1, 1.2, 1.3], lr: [0.01, 0.01, 0.01, 0.01] }),
      findings: [{ severity: 'warning', layer: 'fc1', evidence: { stuckFromStep: 0 } }],
    },
  ],
});

describe('T9 without per-layer data', () => {
  it('returns no finding', () => {
    expect(runCheck(t9StuckParameters, { name: 'none', run: runFrom({ loss: [1, 0.5] }) })).toEqual([]);
  });
});
