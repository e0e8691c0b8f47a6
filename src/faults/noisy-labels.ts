/**
 * Noisy labels on a small training set: 128 examples, 40% of them with a wrong label, trained for as
 * many steps as the full set would get.
 */
import { withTrainingExamples } from './config.js';
import type { Fault } from './fault.js';

/** Training examples left, and the share of them with a wrong label. */
const TRAIN = 128;
const NOISE = 0.4;

/**
 * A small training set whose labels are 40% wrong (a label-mapping bug in part of the data), trained
 * for the same number of steps: the network memorises the wrong labels, the training loss keeps
 * falling and the validation loss turns up - overfitting.
 * @example
 * noisyLabels.apply(healthyConfig()).data // { ..., train: 128, labelNoise: 0.4 }
 */
export const noisyLabels: Fault = {
  id: 'noisy-labels',
  title: 'Noisy labels on a small training set (overfitting)',
  description: `Keeps ${TRAIN} training examples, gives ${NOISE * 100}% of them a wrong label, and trains for as many steps as the full set would get (many more epochs): the network memorises the wrong labels, the training loss keeps falling while the validation loss turns up.`,
  causes: ['D3', 'D6'],
  checks: ['C3'],
  severity: { C3: 'error' },
  apply: (config) => withTrainingExamples(config, TRAIN, { labelNoise: NOISE }),
};
