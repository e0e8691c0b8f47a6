/**
 * ReLU before softmax: the output layer's scores go through a ReLU before the softmax.
 */
import type { Fault } from './fault.js';

/**
 * A ReLU between the output layer and the softmax: negative scores are clipped to 0, so an example
 * whose true-class score is negative gets no gradient for it, and a class whose score is negative on
 * every input is never predicted again. It costs the demo network 6-50 points of validation accuracy
 * depending on the seed, but no log or live check names it reliably: the static model check M1 (run by
 * the demo before training, as by `nndoctor preflight`) does. See docs/demo.md.
 * @example
 * reluBeforeSoftmax.apply(healthyConfig()).model.output.scores // 'relu'
 */
export const reluBeforeSoftmax: Fault = {
  id: 'relu-before-softmax',
  title: 'ReLU before softmax',
  description:
    'Puts a ReLU on the output scores before the softmax: negative scores become 0 and stop getting gradient, so examples whose true class scores below 0 are not learned and classes whose score dies on every input are never predicted again (lower accuracy; only the static check M1 names it reliably).',
  causes: ['M1'],
  checks: ['M1'],
  severity: { M1: 'error' },
  apply: (config) => ({ ...config, model: { ...config.model, output: { ...config.model.output, scores: 'relu', probabilities: 'softmax' } } }),
};
