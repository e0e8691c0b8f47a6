/**
 * Learning rate too high: 100x the config's rate (Adam at 0.1 instead of 1e-3).
 */
import type { Fault } from './fault.js';

/**
 * The learning rate 100x too high: steps overshoot and kill most ReLU units (with Adam the loss
 * does not blow up: the step size is bounded by the rate, and the units it kills stay dead).
 * @example
 * lrTooHigh.apply(healthyConfig()).optimizer.learningRate // 0.1
 */
export const lrTooHigh: Fault = {
  id: 'lr-too-high',
  title: 'Learning rate too high',
  description: 'Multiplies the learning rate by 100 (Adam at 0.1): the first steps overshoot so far that most ReLU units are pushed to never activate again (dead ReLUs), and the network that is left stalls far below the accuracy it could reach.',
  causes: ['P2'],
  checks: ['T5'],
  severity: { T5: 'warning' },
  apply: (config) => ({ ...config, optimizer: { ...config.optimizer, learningRate: config.optimizer.learningRate * 100 } }),
};
