import { curve, runFrom } from '../test-support/runs.js';
import { between, ruleTable } from '../test-support/rule-table.js';
import { t6Saturation } from './t6-saturation.js';

const N = 20;
const f = (level: number, seed: number) => curve(N, () => level, 0.05, seed);

ruleTable(t6Saturation, {
  valid: [
    { name: 'a few saturated units', run: runFrom({ 'act_sat_frac/tanh1': f(0.02, 1), 'act_sat_frac/tanh2': f(0.3, 2) }) },
    { name: 'saturated early, recovered', run: runFrom({ 'act_sat_frac/sig1': curve(N, (i) => (i < 10 ? 0.9 : 0.1), 0, 1) }) },
  ],
  invalid: [
    {
      name: 'most outputs in the flat tails',
      run: runFrom({ 'act_sat_frac/sig1': f(0.8, 1), 'act_sat_frac/sig2': f(0.1, 2) }, { every: 5 }),
      findings: [{ severity: 'warning', layer: 'sig1', steps: [50, 95], message: /[78]\d% of the outputs of sig1 are saturated/, evidence: { saturatedFraction: between(0.75, 0.85), warnAbove: 0.5, errorAbove: 0.95, tail: 3 } }],
    },
    {
      name: 'a fully saturated layer',
      run: runFrom({ 'act_sat_frac/sig1': f(0.6, 1), 'act_sat_frac/sig2': curve(N, () => 0.99, 0, 2) }),
      findings: [{ severity: 'error', layer: 'sig2', message: /also sig1/, evidence: { layersAffected: 2 } }],
    },
    {
      name: 'too few sampled points',
      run: runFrom({ 'act_sat_frac/sig1': [0.9, 0.9] }),
      findings: [{ severity: 'info', evidence: { insufficientData: true } }],
    },
  ],
});
