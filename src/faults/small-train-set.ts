/**
 * Too little training data: 64 clean examples (a subset left after a filtering or split bug, or simply
 * a tiny dataset), trained for as many steps as the full set would get.
 */
import { withTrainingExamples } from './config.js';
import type { Fault } from './fault.js';

/** Training examples left (6-7 per class). */
const TRAIN = 64;

/**
 * A training set of 64 correctly labelled examples trained for as many optimiser steps as the full
 * set: after a few epochs the network has learnt what 64 examples can teach and goes on memorising
 * them; the training loss falls towards zero while the validation loss turns up (the network grows
 * over-confident on examples it has not seen).
 * @example
 * smallTrainSet.apply(healthyConfig()).data.train // 64
 */
export const smallTrainSet: Fault = {
  id: 'small-train-set',
  title: 'Too few training examples (overfitting)',
  description: `Keeps ${TRAIN} correctly labelled training examples and trains for as many steps as the full set would get (many more epochs): the training loss falls towards zero while the validation loss turns up once the examples are memorised.`,
  causes: ['D6'],
  checks: ['C3', 'C11'],
  severity: { C3: 'warning', C11: 'warning' },
  apply: (config) => withTrainingExamples(config, TRAIN),
};
