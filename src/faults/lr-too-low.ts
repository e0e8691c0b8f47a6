/**
 * Learning rate too low: 1/1000 of the config's rate (Adam at 1e-6 instead of 1e-3).
 */
import type { Fault } from './fault.js';

/**
 * The learning rate 1000x too low: the weights barely move and the loss stays near its start.
 * @example
 * lrTooLow.apply(healthyConfig()).optimizer.learningRate // 1e-6
 */
export const lrTooLow: Fault = {
  id: 'lr-too-low',
  title: 'Learning rate too low',
  description: 'Divides the learning rate by 1000 (Adam at 1e-6): each update is a tiny fraction of the weights, so in the time budget the loss hardly moves from where it started.',
  causes: ['P2'],
  checks: ['C1', 'T4'],
  severity: { C1: 'error', T4: 'warning' },
  apply: (config) => ({ ...config, optimizer: { ...config.optimizer, learningRate: config.optimizer.learningRate / 1000 } }),
};
