/**
 * ReLU before softmax: the output layer's scores go through a ReLU before the softmax.
 */
import type { Fault } from './fault.js';

/**
 * A ReLU between the output layer and the softmax: negative scores are clipped to 0, so classes whose
 * scores go negative get no gradient and the softmax can only raise, never lower, a class.
 * @example
 * reluBeforeSoftmax.apply(healthyConfig()).model.output.scores // 'relu'
 */
export const reluBeforeSoftmax: Fault = {
  id: 'relu-before-softmax',
  title: 'ReLU before softmax',
  description: 'Puts a ReLU on the output scores before the softmax: negative scores become 0 and stop getting gradient, so the model learns slowly and gets stuck on the classes whose scores died.',
  causes: ['M1'],
  checks: ['C1'],
  severity: { C1: 'warning' },
  apply: (config) => ({ ...config, model: { ...config.model, output: { ...config.model.output, scores: 'relu', probabilities: 'softmax' } } }),
};
