/**
 * Learning rate too high: 100x the config's rate (Adam at 0.1 instead of 1e-3).
 */
import type { Fault } from './fault.js';

/**
 * The learning rate 100x too high: steps overshoot, the loss jumps around or climbs.
 * @example
 * lrTooHigh.apply(healthyConfig()).optimizer.learningRate // 0.1
 */
export const lrTooHigh: Fault = {
  id: 'lr-too-high',
  title: 'Learning rate too high',
  description: 'Multiplies the learning rate by 100 (Adam at 0.1): every step overshoots, so the loss oscillates or climbs instead of settling.',
  causes: ['P2'],
  checks: ['C9'],
  severity: { C9: 'warning' },
  apply: (config) => ({ ...config, optimizer: { ...config.optimizer, learningRate: config.optimizer.learningRate * 100 } }),
};
