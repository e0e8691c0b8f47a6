/**
 * Deep sigmoid stack: the hidden layers replaced by many sigmoid layers.
 */
import type { Fault } from './fault.js';

/** Hidden sigmoid layers in the faulty model. */
const DEPTH = 8;

/**
 * Eight sigmoid hidden layers: the sigmoid's derivative is at most 1/4, so the gradient shrinks layer
 * by layer on its way to the input and the first layers barely learn.
 * @example
 * deepSigmoid.apply(healthyConfig()).model.hidden.length // 8
 */
export const deepSigmoid: Fault = {
  id: 'deep-sigmoid',
  title: 'Deep sigmoid stack',
  description: `Replaces the dense hidden layers with ${DEPTH} sigmoid layers (Glorot init; conv and recurrent layers stay in front): each one scales the backward gradient by at most 1/4, so the input-side layers get gradients hundreds of times smaller than the output side and the loss hardly falls for most of the run.`,
  causes: ['T3'],
  checks: ['T3', 'C4'],
  severity: { T3: 'warning', C4: 'warning' },
  apply: (config) => {
    // Conv/recurrent layers stay (the stack is the dense head); a model without dense layers gets the stack on top.
    const front = config.model.hidden.filter((l) => (l.kind ?? 'dense') !== 'dense');
    const units = config.model.hidden.find((l) => (l.kind ?? 'dense') === 'dense')?.units ?? 32;
    return {
      ...config,
      model: {
        ...config.model,
        hidden: [...front, ...Array.from({ length: DEPTH }, () => ({ units, activation: 'sigmoid' as const, kernelInitializer: 'glorotUniform' as const, dropout: 0, trainable: true }))],
      },
    };
  },
};
