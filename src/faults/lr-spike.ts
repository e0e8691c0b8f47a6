/**
 * Learning-rate spike: the rate jumps 100x halfway through the run.
 */
import type { Fault } from './fault.js';

/** Where the rate jumps (share of the run) and by how much. */
const AT = 0.5;
const FACTOR = 100;

/**
 * The learning rate multiplied by 100 from the middle of the run on (a warm restart to the wrong
 * peak, or a schedule in the wrong unit): a run that was training well is knocked off its minimum,
 * the loss climbs back up, and it may never recover (or go NaN).
 * @example
 * lrSpike.apply(healthyConfig()).optimizer.schedule // { kind: 'step', at: 0.5, factor: 100 }
 */
export const lrSpike: Fault = {
  id: 'lr-spike',
  title: 'Learning-rate spike mid-run',
  description: `Multiplies the learning rate by ${FACTOR} from ${AT * 100}% of the run on (a warm restart to the wrong peak): the loss, falling until then, jumps back up and does not come down again - the run diverges halfway.`,
  causes: ['P2', 'T10'],
  checks: ['C2'],
  severity: { C2: 'error' },
  apply: (config) => ({ ...config, optimizer: { ...config.optimizer, schedule: { kind: 'step', at: AT, factor: FACTOR } } }),
};
