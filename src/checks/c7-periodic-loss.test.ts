import { describe, expect, it } from 'vitest';
import { curve, runFrom, seeded } from '../test-support/runs.js';
import { between, ruleTable, runCheck } from '../test-support/rule-table.js';
import { c7PeriodicLoss } from './c7-periodic-loss.js';

const SPE = 100;
const EPOCHS = 10;
const N = SPE * EPOCHS;
const steps = Array.from({ length: N }, (_, i) => i);
const epoch = { steps, values: steps.map((s) => Math.floor(s / SPE)) };
const trend = (i: number) => 0.3 + 2 * Math.exp(-i / 250);
/** Per-batch loss: trend x (1 + profile(phase in epoch)) with multiplicative noise. */
const batches = (profile: (phase: number) => number, noise = 0.25, seed = 1) => curve(N, (i) => trend(i) * (1 + profile((i % SPE) / SPE)), noise, seed);
const sorted = (phase: number) => (phase < 0.5 ? -0.25 : 0.25);
/** Keras: the logged batch loss is the running mean since the start of the epoch. */
const runningMean = (raw: readonly number[]) => {
  let sum = 0;
  return raw.map((v, i) => {
    if (i % SPE === 0) sum = 0;
    sum += v;
    return sum / ((i % SPE) + 1);
  });
};

ruleTable(c7PeriodicLoss, {
  valid: [
    { name: 'shuffled data: noisy decay, no pattern', run: runFrom({ 'train/loss': batches(() => 0), epoch }) },
    { name: 'Keras running mean resetting each epoch (sawtooth)', run: runFrom({ 'train/batch_loss': runningMean(batches(() => 0, 0.4)), epoch }) },
    { name: 'Keras running mean without an epoch curve', run: runFrom({ 'train/batch_loss': runningMean(batches(() => 0, 0.4)) }) },
    {
      name: 'SGDR: lr restarts every epoch and the loss follows it',
      run: runFrom({
        'train/loss': batches((ph) => 0.3 * Math.cos(Math.PI * ph), 0.1),
        lr: steps.map((s) => 1e-3 * 0.5 * (1 + Math.cos(Math.PI * ((s % SPE) / SPE)))),
        epoch,
      }),
    },
    { name: 'epoch-level curve', run: runFrom({ loss: curve(30, (e) => 2 * Math.exp(-e / 5), 0.1, 1) }, { unit: 'epoch' }) },
    { name: 'per-batch curve of 2 epochs (info: too little data)', run: runFrom({ 'train/loss': batches(sorted).slice(0, 2 * SPE), epoch: { steps: steps.slice(0, 2 * SPE), values: epoch.values.slice(0, 2 * SPE) } }) },
    {
      name: 'sparse logging (every 50 steps, 340 steps per epoch), shuffled',
      run: runFrom({
        train_loss: { steps: Array.from({ length: 100 }, (_, i) => 49 + 50 * i), values: curve(100, (i) => 0.6 + 0.3 * Math.exp(-i / 30), 0.08, 4) },
        epoch: { steps: Array.from({ length: 100 }, (_, i) => 49 + 50 * i), values: Array.from({ length: 100 }, (_, i) => Math.floor((49 + 50 * i) / 340)) },
      }),
    },
  ],
  invalid: [
    {
      name: 'data sorted by class: the loss repeats every epoch',
      run: runFrom({ 'train/loss': batches(sorted), epoch }),
      findings: [
        {
          severity: 'warning',
          steps: [0, N - 1],
          message: /every 100 steps, one epoch .* not shuffled/,
          evidence: { periodSteps: between(99, 101), stepsPerEpoch: between(99, 101), matchesEpoch: true, eta2: (v) => typeof v === 'number' && v >= 0.1, amplitudeRelative: between(0.3, 0.7) },
        },
      ],
    },
    {
      name: 'Hugging Face style: fractional epoch, loss every 5 steps, 125 steps per epoch',
      run: (() => {
        const s = Array.from({ length: 200 }, (_, i) => 5 * (i + 1));
        const r = seeded(3);
        return runFrom({
          loss: { steps: s, values: s.map((x) => (0.3 + Math.exp(-x / 400)) * (1 + 0.3 * (((x % 125) / 125) - 0.5)) * (1 + 0.2 * (r() * 2 - 1))) },
          epoch: { steps: s, values: s.map((x) => x / 125) },
        });
      })(),
      findings: [{ severity: 'warning', evidence: { periodSteps: between(124, 126), matchesEpoch: true } }],
    },
    {
      name: 'no epoch curve: dominant period reported as info',
      run: runFrom({ 'train/loss': batches(sorted) }),
      findings: [{ severity: 'info', message: /epoch length unknown/, evidence: { periodSteps: between(95, 105), matchesEpoch: false, stepsPerEpoch: null, autocorrelation: (v) => typeof v === 'number' && v >= 0.3 } }],
    },
  ],
});

describe('C7 edge cases', () => {
  it('says too little data for a per-batch curve shorter than 3 epochs', () => {
    const f = runCheck(c7PeriodicLoss, { name: 'short', run: runFrom({ 'train/loss': batches(sorted).slice(0, 2 * SPE), epoch: { steps: steps.slice(0, 2 * SPE), values: epoch.values.slice(0, 2 * SPE) } }) });
    expect(f.map((x) => [x.severity, x.evidence.needed])).toEqual([['info', 300]]);
  });
  it('returns nothing without a train loss', () => {
    expect(runCheck(c7PeriodicLoss, { name: 'none', run: runFrom({ 'val/loss': [1, 0.5] }) })).toEqual([]);
  });
});
