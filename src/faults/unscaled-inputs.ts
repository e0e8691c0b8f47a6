/**
 * Unscaled inputs: raw pixel bytes (0-255) instead of [0, 1].
 */
import type { Fault } from './fault.js';

/**
 * Inputs multiplied by 255 (raw bytes, the normalisation step forgotten): first-layer activations
 * are hundreds of times too large and the loss jumps around.
 * @example
 * unscaledInputs.apply(healthyConfig()).data.inputScale // 255
 */
export const unscaledInputs: Fault = {
  id: 'unscaled-inputs',
  title: 'Unscaled inputs',
  description: 'Feeds raw pixel values 0-255 instead of 0-1 (the normalisation step forgotten): hidden activations are ~100x larger than healthy ones (std ~90 instead of ~1) and the network learns far less in the same time.',
  causes: ['D2'],
  checks: ['T7'],
  severity: { T7: 'warning' },
  apply: (config) => ({ ...config, data: { ...config.data, inputScale: config.data.inputScale * 255 } }),
};
