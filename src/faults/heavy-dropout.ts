/**
 * Heavy dropout: a 0.9 dropout rate after every hidden layer.
 */
import type { Fault } from './fault.js';

/** Dropout rate of the faulty model. */
const RATE = 0.9;

/**
 * Dropout 0.9 after every hidden layer: nine units in ten are zeroed at every step, so the
 * network cannot even fit its training data (in the demo its ReLU units die and the loss parks at ln 10).
 * @example
 * heavyDropout.apply(healthyConfig()).model.hidden[0]?.dropout // 0.9
 */
export const heavyDropout: Fault = {
  id: 'heavy-dropout',
  title: 'Heavy dropout',
  description: `Adds dropout at rate ${RATE} after every hidden layer: nine units in ten are zeroed at every step, the few survivors are scaled up 10x, the ReLU units die, no gradient gets through and the loss parks at chance level: the model underfits.`,
  causes: ['M12'],
  checks: ['C10', 'T3', 'T5', 'T7'],
  severity: { C10: 'warning', T3: 'error', T5: 'warning', T7: 'warning' },
  apply: (config) => ({ ...config, model: { ...config.model, hidden: config.model.hidden.map((layer) => ({ ...layer, dropout: RATE })) } }),
};
