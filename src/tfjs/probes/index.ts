/**
 * The probe registry: one literal sorted D1..D8, M1..M12, P1..P8, no import side effects. Add a
 * probe by importing it here and placing it in order. Importing this module loads TF.js.
 */
import { d1NonFiniteData } from './d1-non-finite-data.js';
import { d2UnscaledFeatures } from './d2-unscaled-features.js';
import { d3LabelProblems } from './d3-label-problems.js';
import { d4UnshuffledOrder } from './d4-unshuffled-order.js';
import { d5SplitLeakage } from './d5-split-leakage.js';
import { d6SplitSizes } from './d6-split-sizes.js';
import { d7ShowBatch } from './d7-show-batch.js';
import { d8InputIndependent } from './d8-input-independent.js';
import { m1ActivationBeforeSoftmax } from './m1-activation-before-softmax.js';
import { m2LossInputMismatch } from './m2-loss-input-mismatch.js';
import { m3InitialLoss } from './m3-initial-loss.js';
import { m4FinalLayerInit } from './m4-final-layer-init.js';
import { m5WeightInit } from './m5-weight-init.js';
import { m6GradientCheck } from './m6-gradient-check.js';
import { m7FrozenParameters } from './m7-frozen-parameters.js';
import { m8TrainInferenceGap } from './m8-train-inference-gap.js';
import { m9ShapeBugs } from './m9-shape-bugs.js';
import { m10BatchMixing } from './m10-batch-mixing.js';
import { m11LossBalance } from './m11-loss-balance.js';
import { m12RegularisationSanity } from './m12-regularisation-sanity.js';
import { p1OverfitBatch } from './p1-overfit-batch.js';
import { p2LrRangeTest } from './p2-lr-range-test.js';
import { p3SimplerModel } from './p3-simpler-model.js';
import { p4Reproducibility } from './p4-reproducibility.js';
import { p5HyperparameterSearch } from './p5-hyperparameter-search.js';
import { p6CompareModels } from './p6-compare-models.js';
import { p7PredictionDynamics } from './p7-prediction-dynamics.js';
import { p8EarlyStopping } from './p8-early-stopping.js';
import type { Probe } from './probe.js';

/** Every pre-flight probe, sorted by id. */
export const probes: readonly Probe[] = [
  d1NonFiniteData,
  d2UnscaledFeatures,
  d3LabelProblems,
  d4UnshuffledOrder,
  d5SplitLeakage,
  d6SplitSizes,
  d7ShowBatch,
  d8InputIndependent,
  m1ActivationBeforeSoftmax,
  m2LossInputMismatch,
  m3InitialLoss,
  m4FinalLayerInit,
  m5WeightInit,
  m6GradientCheck,
  m7FrozenParameters,
  m8TrainInferenceGap,
  m9ShapeBugs,
  m10BatchMixing,
  m11LossBalance,
  m12RegularisationSanity,
  p1OverfitBatch,
  p2LrRangeTest,
  p3SimplerModel,
  p4Reproducibility,
  p5HyperparameterSearch,
  p6CompareModels,
  p7PredictionDynamics,
  p8EarlyStopping,
];

export type { ArtefactSink, Probe, ProbeContext, ProbeData, TrainingSpec } from './probe.js';
export { cloneModel, compileFor, makeOptimizer } from './clone-model.js';
export {
  d1NonFiniteData,
  d2UnscaledFeatures,
  d3LabelProblems,
  d4UnshuffledOrder,
  d5SplitLeakage,
  d6SplitSizes,
  d7ShowBatch,
  d8InputIndependent,
  m1ActivationBeforeSoftmax,
  m2LossInputMismatch,
  m3InitialLoss,
  m4FinalLayerInit,
  m5WeightInit,
  m6GradientCheck,
  m7FrozenParameters,
  m8TrainInferenceGap,
  m9ShapeBugs,
  m10BatchMixing,
  m11LossBalance,
  m12RegularisationSanity,
  p1OverfitBatch,
  p2LrRangeTest,
  p3SimplerModel,
  p4Reproducibility,
  p5HyperparameterSearch,
  p6CompareModels,
  p7PredictionDynamics,
  p8EarlyStopping,
};
export type { LrSweepAnalysis } from './p2-lr-range-test.js';
export { analyseLrSweep } from './p2-lr-range-test.js';
export type { CompareOptions, LayerDifference, ModelComparison } from './p6-compare-models.js';
export { compareModels } from './p6-compare-models.js';
export type { EarlyStoppingPlan } from './p8-early-stopping.js';
export { planEarlyStopping } from './p8-early-stopping.js';
export type { TrialConfig, TrialResult } from './p5-hyperparameter-search.js';
