/**
 * log(0) NaN: probabilities that can be exactly 0, and a hand-written cross-entropy with no epsilon.
 */
import type { Fault } from './fault.js';

/**
 * Output probabilities made by normalising ReLU scores (instead of a softmax) and a cross-entropy
 * written by hand as `-sum(y * log(p))` with no epsilon: a class whose score is 0 has probability
 * exactly 0, `log(0) = -Infinity`, and `0 * -Infinity = NaN` poisons the loss and every gradient.
 * @example
 * logZeroNan.apply(healthyConfig()).loss // 'unsafe-crossentropy'
 */
export const logZeroNan: Fault = {
  id: 'log-zero-nan',
  title: 'log(0) in the loss',
  description:
    'Turns the output into ReLU scores divided by their sum (probabilities that can be exactly 0) and replaces the library cross-entropy, which clips probabilities, with a hand-written -sum(y * log(p)) without epsilon: log(0) = -Infinity and 0 * -Infinity = NaN in the loss and the gradients.',
  causes: ['M2'],
  checks: ['C6', 'T1', 'T2', 'T8'],
  severity: { C6: 'error', T1: 'error', T2: 'error', T8: 'error' },
  apply: (config) => ({
    ...config,
    loss: 'unsafe-crossentropy',
    model: { ...config.model, output: { ...config.model.output, scores: 'relu', probabilities: 'sum-normalised' } },
  }),
};
