/**
 * Unshuffled, sorted data: training examples sorted by label and never shuffled.
 */
import type { Fault } from './fault.js';

/**
 * Training data sorted by label and fed in that order every epoch: each stretch of batches holds one
 * class, so the model chases the current class and the loss repeats with the epoch.
 * @example
 * unshuffledData.apply(healthyConfig()).data.order // 'sorted-by-label'
 */
export const unshuffledData: Fault = {
  id: 'unshuffled-data',
  title: 'Unshuffled, sorted data',
  description: 'Sorts the training examples by label and never shuffles them: every batch holds a single class, the model forgets the previous classes as it goes, and the loss repeats with the epoch period.',
  causes: ['D4'],
  checks: ['C7', 'C4'],
  severity: { C7: 'warning', C4: 'warning' },
  apply: (config) => ({ ...config, data: { ...config.data, order: 'sorted-by-label', shuffleEachEpoch: false } }),
};
