/**
 * Gradient ascent: the sign of the update flipped (a negative learning rate).
 */
import type { Fault } from './fault.js';

/**
 * The update applied with the wrong sign (a `+=` for a `-=` in a hand-written step, or a loss
 * negated twice): every step climbs the loss instead of descending it.
 * @example
 * gradientAscent.apply(healthyConfig()).optimizer.learningRate // -0.001
 */
export const gradientAscent: Fault = {
  id: 'gradient-ascent',
  title: 'Gradient ascent (update sign flipped)',
  description: 'Negates the learning rate, so every update moves the weights up the gradient: the loss rises from the first steps until the probabilities saturate - the textbook diverging curve.',
  causes: ['M6'],
  checks: ['C2', 'T10'],
  severity: { C2: 'error', T10: 'error' },
  apply: (config) => ({ ...config, optimizer: { ...config.optimizer, learningRate: -Math.abs(config.optimizer.learningRate) } }),
};
