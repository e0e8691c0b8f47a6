/**
 * Frozen layers: the hidden layers set to `trainable = false`.
 */
import type { Fault } from './fault.js';

/**
 * Every hidden layer frozen (`trainable = false`, as when fine-tuning code forgets to unfreeze): only
 * the output layer learns, on top of random features.
 * @example
 * frozenLayers.apply(healthyConfig()).model.hidden.every((l) => !l.trainable) // true
 */
export const frozenLayers: Fault = {
  id: 'frozen-layers',
  title: 'Frozen layers',
  description: 'Sets trainable = false on every hidden layer: their weights never change, so only the output layer learns, on top of random features.',
  causes: ['M7'],
  checks: ['T9', 'C10'],
  severity: { T9: 'warning', C10: 'warning' },
  apply: (config) => ({ ...config, model: { ...config.model, hidden: config.model.hidden.map((layer) => ({ ...layer, trainable: false })) } }),
};
