/**
 * Zero initialisation: every weight matrix starts at 0.
 */
import type { Fault } from './fault.js';

/**
 * All kernels initialised to zero: every unit of a layer computes the same thing (symmetry is never
 * broken), and with ReLU no gradient reaches the hidden layers at all.
 * @example
 * zeroInit.apply(healthyConfig()).model.hidden[0]?.kernelInitializer // 'zeros'
 */
export const zeroInit: Fault = {
  id: 'zero-init',
  title: 'Zero initialisation',
  description: 'Initialises every kernel to zero: all units of a layer stay identical, ReLU hidden layers output 0 and get no gradient, and only the output biases learn (the class frequencies).',
  causes: ['M5'],
  checks: ['C1', 'T3', 'T5', 'T7', 'T9'],
  severity: { C1: 'error', T3: 'error', T5: 'error', T7: 'error', T9: 'warning' },
  apply: (config) => ({
    ...config,
    model: {
      hidden: config.model.hidden.map((layer) => ({ ...layer, kernelInitializer: 'zeros' })),
      output: { ...config.model.output, kernelInitializer: 'zeros' },
    },
  }),
};
