import { curve, runFrom } from '../test-support/runs.js';
import { between, ruleTable } from '../test-support/rule-table.js';
import { t7ActivationScale } from './t7-activation-scale.js';

const N = 20;
const s = (level: number, seed: number) => curve(N, () => level, 0.1, seed);

ruleTable(t7ActivationScale, {
  valid: [
    { name: 'unit-scale hidden layers', run: runFrom({ 'act_std/h1': s(0.8, 1), 'act_std/h2': s(1.3, 2), 'act_std/out': s(1, 3) }) },
    { name: 'default Glorot + ReLU shrinkage (0.2-0.4)', run: runFrom({ 'act_std/h1': s(0.4, 1), 'act_std/h2': s(0.28, 2), 'act_std/h3': s(0.2, 3), 'act_std/out': s(1, 4) }) },
    { name: 'the output layer is not judged (regression targets in the thousands)', run: runFrom({ 'act_std/h1': s(1, 1), 'act_std/out': s(3000, 2) }) },
    { name: 'a sigmoid layer at 0.05 (bounded: warning below 0.025)', run: runFrom({ 'act_std/sig1': s(0.05, 1), 'act_sat_frac/sig1': s(0.01, 2), 'act_std/out': s(1, 3) }) },
    { name: 'large only at the start', run: runFrom({ 'act_std/h1': curve(N, (i) => (i < 10 ? 50 : 1), 0, 1), 'act_std/out': s(1, 2) }) },
  ],
  invalid: [
    {
      name: 'vanishing activations',
      run: runFrom({ 'act_std/h1': s(0.5, 1), 'act_std/h2': s(0.05, 2), 'act_std/out': s(1, 3) }, { every: 10 }),
      findings: [{ severity: 'warning', layer: 'h2', steps: [100, 190], message: /h2 have std 0\.05 .*vanishes/, evidence: { std: between(0.04, 0.06), direction: 'vanish', bounded: false, warnLow: 0.1 } }],
    },
    {
      name: 'exploding activations (weights x100), the worst named first',
      run: runFrom({ 'act_std/h1': s(60, 1), 'act_std/h2': s(6000, 2), 'act_std/out': s(1, 3) }),
      findings: [{ severity: 'error', layer: 'h2', message: /explodes; also h1 \d\d/, evidence: { direction: 'explode', errorHigh: 200, layersAffected: 2 } }],
    },
    {
      name: 'constant outputs of a bounded layer (zero init): error',
      run: runFrom({ 'act_std/sig1': s(1e-6, 1), 'act_sat_frac/sig1': s(0, 2), 'act_std/out': s(1, 3) }),
      findings: [{ severity: 'error', layer: 'sig1', message: /bounded layer/, evidence: { bounded: true } }],
    },
    {
      name: 'too few sampled points',
      run: runFrom({ 'act_std/h1': [100, 100], 'act_std/out': [1, 1] }),
      findings: [{ severity: 'info', evidence: { insufficientData: true } }],
    },
  ],
});
