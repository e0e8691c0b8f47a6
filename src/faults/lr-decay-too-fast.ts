/**
 * Learning-rate decay too fast: an exponential decay that reaches 1e-6 of the rate by the end.
 */
import type { Fault } from './fault.js';

/** The rate at the end of the run, relative to the start: 1% of the start a third of the way in. */
const END_FACTOR = 1e-6;

/**
 * An exponential decay sized for a run a third as long: the rate falls below 1% of its start a
 * third of the way in, and the rest of the run barely moves the weights.
 * @example
 * lrDecayTooFast.apply(healthyConfig()).optimizer.schedule // { kind: 'exponential', endFactor: 1e-6 }
 */
export const lrDecayTooFast: Fault = {
  id: 'lr-decay-too-fast',
  title: 'Learning-rate decay too fast',
  description: 'Decays the learning rate exponentially to a millionth of its start by the last step (a schedule sized for a run a third as long): below 1% of the start a third of the way in, so the last two thirds of the run barely train.',
  causes: ['T10'],
  checks: ['T10', 'C10'],
  severity: { T10: 'warning', C10: 'warning' },
  apply: (config) => ({ ...config, optimizer: { ...config.optimizer, schedule: { kind: 'exponential', endFactor: END_FACTOR } } }),
};
