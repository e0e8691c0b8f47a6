/**
 * Sigmoid before softmax: the output scores squashed into (0, 1) before the softmax.
 */
import type { Fault } from './fault.js';

/**
 * A sigmoid between the output layer and the softmax: the softmax only sees scores in (0, 1), so
 * with 10 classes no probability can exceed e / (e + 9) = 0.23 and the loss cannot go below 1.46.
 * @example
 * sigmoidBeforeSoftmax.apply(healthyConfig()).model.output.scores // 'sigmoid'
 */
export const sigmoidBeforeSoftmax: Fault = {
  id: 'sigmoid-before-softmax',
  title: 'Sigmoid before softmax',
  description:
    'Puts a sigmoid on the output scores before the softmax: scores live in (0, 1), so no class can get a probability above e / (e + C - 1) (0.23 for 10 classes); the loss levels off far above 0 and the output units saturate.',
  causes: ['M1'],
  checks: ['C10', 'T6'],
  severity: { C10: 'warning', T6: 'warning' },
  apply: (config) => ({ ...config, model: { ...config.model, output: { ...config.model.output, scores: 'sigmoid', probabilities: 'softmax' } } }),
};
