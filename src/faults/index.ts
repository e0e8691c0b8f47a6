/**
 * The fault registry: one literal sorted by id, no import side effects. Add a fault by importing it
 * here and placing it in order. Used by `nndoctor demo --bug` and the labelled corpus.
 */
import { deepSigmoid } from './deep-sigmoid.js';
import type { Fault } from './fault.js';
import { frozenLayers } from './frozen-layers.js';
import { gradientAscent } from './gradient-ascent.js';
import { heavyDropout } from './heavy-dropout.js';
import { logZeroNan } from './log-zero-nan.js';
import { lrDecayTooFast } from './lr-decay-too-fast.js';
import { lrTooHigh } from './lr-too-high.js';
import { lrSpike } from './lr-spike.js';
import { lrTooLow } from './lr-too-low.js';
import { noisyLabels } from './noisy-labels.js';
import { reluBeforeSoftmax } from './relu-before-softmax.js';
import { sigmoidBeforeSoftmax } from './sigmoid-before-softmax.js';
import { smallTrainSet } from './small-train-set.js';
import { unscaledInputs } from './unscaled-inputs.js';
import { unshuffledData } from './unshuffled-data.js';
import { zeroInit } from './zero-init.js';

/**
 * Every injectable fault, sorted by id.
 * @example
 * for (const fault of faults) console.log(fault.id, fault.checks.join(', '));
 */
export const faults: readonly Fault[] = [
  deepSigmoid,
  frozenLayers,
  gradientAscent,
  heavyDropout,
  logZeroNan,
  lrDecayTooFast,
  lrSpike,
  lrTooHigh,
  lrTooLow,
  noisyLabels,
  reluBeforeSoftmax,
  sigmoidBeforeSoftmax,
  smallTrainSet,
  unscaledInputs,
  unshuffledData,
  zeroInit,
];

/**
 * The fault with this id (case-insensitive), or `undefined`.
 * @example
 * findFault('LR-too-high')?.title // 'Learning rate too high'
 */
export function findFault(id: string, registry: readonly Fault[] = faults): Fault | undefined {
  const key = id.trim().toLowerCase();
  return registry.find((f) => f.id === key);
}

export type { Fault } from './fault.js';
export type {
  ActivationName,
  ConfigOverrides,
  DataConfig,
  DataOrder,
  DatasetName,
  HiddenLayerConfig,
  InitializerName,
  LayerKind,
  LrSchedule,
  LossName,
  ModelConfig,
  OptimizerConfig,
  OptimizerName,
  OutputLayerConfig,
  ProbabilitiesName,
  TrainingConfig,
} from './config.js';
export { describeConfig, healthyConfig, learningRateAt, withOverrides } from './config.js';
