/**
 * log(0) NaN: a hand-written cross-entropy with no epsilon.
 */
import type { Fault } from './fault.js';

/**
 * Cross-entropy written by hand as `-sum(y * log(p))` with no epsilon: as soon as the softmax
 * rounds a probability to 0, `log(0) = -Infinity` and `0 * -Infinity = NaN` poison the loss and
 * the gradients.
 * @example
 * logZeroNan.apply(healthyConfig()).loss // 'unsafe-crossentropy'
 */
export const logZeroNan: Fault = {
  id: 'log-zero-nan',
  title: 'log(0) in the loss',
  description: 'Replaces the library cross-entropy (which clips probabilities) with a hand-written -sum(y * log(p)) without epsilon: once the softmax underflows a probability to 0 the loss and gradients turn NaN.',
  causes: ['M2'],
  checks: ['C6'],
  severity: { C6: 'error' },
  apply: (config) => ({ ...config, loss: 'unsafe-crossentropy' }),
};
