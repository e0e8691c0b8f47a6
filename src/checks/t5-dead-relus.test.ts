import { curve, runFrom } from '../test-support/runs.js';
import { between, ruleTable } from '../test-support/rule-table.js';
import { t5DeadRelus } from './t5-dead-relus.js';

const N = 20;
const d = (level: number, seed: number) => curve(N, () => level, 0.05, seed);

ruleTable(t5DeadRelus, {
  valid: [
    { name: 'a few dead units', run: runFrom({ 'act_dead_frac/relu1': d(0.03, 1), 'act_dead_frac/relu2': d(0.2, 2) }) },
    { name: 'half the units at init, recovered later', run: runFrom({ 'act_dead_frac/relu1': curve(N, (i) => (i < 10 ? 0.7 : 0.1), 0, 1) }) },
    { name: 'zero fraction of outputs is not the dead fraction', run: runFrom({ 'act_zero_frac/relu1': d(0.6, 1), 'act_dead_frac/relu1': d(0.05, 2) }) },
    { name: 'no dead-unit telemetry', run: runFrom({ loss: d(1, 1) }) },
    { name: 'entirely dead for the first 3 samples only, alive later (a ReLU net that recovers)', run: runFrom({ 'act_dead_frac/relu1': curve(N, (i) => (i < 3 ? 1 : 0.1), 0, 1) }) },
    { name: 'latest 3 points mostly but not ~entirely dead (94%) after a healthy run: the median decides', run: runFrom({ 'act_dead_frac/relu1': curve(N, (i) => (i < N - 3 ? 0.05 : 0.94), 0, 1) }) },
    { name: 'only 3 points, the last one alive', run: runFrom({ 'act_dead_frac/relu1': [1, 1, 0.3] }) },
    { name: 'a single ~entirely dead last sample after a healthy run', run: runFrom({ 'act_dead_frac/relu1': curve(N, (i) => (i < N - 1 ? 0.05 : 1), 0, 1) }) },
  ],
  invalid: [
    {
      name: 'two thirds of a layer dead',
      run: runFrom({ 'act_dead_frac/relu1': d(0.05, 1), 'act_dead_frac/relu2': d(0.66, 2) }, { every: 10 }),
      findings: [{ severity: 'warning', layer: 'relu2', steps: [100, 190], message: /6\d% of the units of relu2 are dead/, evidence: { deadFraction: between(0.6, 0.7), warnAbove: 0.5, errorAbove: 0.9, layersAffected: 1 } }],
    },
    {
      name: 'a whole layer dead (bias pushed to -100), another half dead',
      run: runFrom({ 'act_dead_frac/relu1': d(0.55, 1), 'train/act_dead_frac/relu2': curve(N, () => 1, 0, 2) }),
      findings: [{ severity: 'error', layer: 'relu2', message: /100% of the units of relu2 .*; also relu1 5\d%/, evidence: { deadFraction: 1, layersAffected: 2 } }],
    },
    {
      name: 'too few sampled points',
      run: runFrom({ 'act_dead_frac/relu1': [1] }),
      findings: [{ severity: 'info', evidence: { insufficientData: true } }],
    },
    {
      name: 'dead from step 0, judged live from its first 2 points (zero-init network)',
      run: runFrom({ 'act_dead_frac/hidden1': [1, 1], 'act_dead_frac/hidden2': [1, 1] }, { every: 10 }),
      findings: [{ severity: 'error', layer: 'hidden1', steps: [0, 10], message: /100% of the units of hidden1 are dead .*last 2 sampled steps 0-10.*also hidden2 100%/, evidence: { deadFraction: 1, basis: 'latest-points', fullyDeadAbove: 0.95, layersAffected: 2 } }],
    },
    {
      name: 'a layer that dies in the last 2 samples of a healthy run (97%)',
      run: runFrom({ 'act_dead_frac/relu1': curve(N, (i) => (i < N - 2 ? 0.05 : 0.97), 0, 1) }, { every: 10 }),
      findings: [{ severity: 'error', layer: 'relu1', steps: [180, 190], evidence: { deadFraction: 0.97, basis: 'latest-points' } }],
    },
  ],
});
