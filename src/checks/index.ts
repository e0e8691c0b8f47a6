/**
 * The check registry: one literal sorted by id, no import side effects. Add a check by importing it
 * here and placing it in order.
 */
import { c1NotLearning } from './c1-not-learning.js';
import { c2Diverging } from './c2-diverging.js';
import { c3Overfitting } from './c3-overfitting.js';
import { c4NotConverged } from './c4-not-converged.js';
import { c5SlowStart } from './c5-slow-start.js';
import { c6CurveVanishes } from './c6-curve-vanishes.js';
import { c7PeriodicLoss } from './c7-periodic-loss.js';
import { c8NoisyValidation } from './c8-noisy-validation.js';
import { c9Unstable } from './c9-unstable.js';
import { c10Underfitting } from './c10-underfitting.js';
import { c11LossMetricDisagreement } from './c11-loss-metric-disagreement.js';
import type { Check } from './check.js';
import { t1NonFinite } from './t1-non-finite.js';
import { t2ExplodingGradients } from './t2-exploding-gradients.js';
import { t3VanishingGradients } from './t3-vanishing-gradients.js';
import { t4UpdateRatio } from './t4-update-ratio.js';
import { t5DeadRelus } from './t5-dead-relus.js';
import { t6Saturation } from './t6-saturation.js';
import { t7ActivationScale } from './t7-activation-scale.js';
import { t8ParameterDrift } from './t8-parameter-drift.js';
import { t9StuckParameters } from './t9-stuck-parameters.js';
import { t10LrSchedule } from './t10-lr-schedule.js';

/** Every catalogue check nndoctor runs on recorded telemetry, sorted by id. */
export const checks: readonly Check[] = [
  c1NotLearning,
  c2Diverging,
  c3Overfitting,
  c4NotConverged,
  c5SlowStart,
  c6CurveVanishes,
  c7PeriodicLoss,
  c8NoisyValidation,
  c9Unstable,
  c10Underfitting,
  c11LossMetricDisagreement,
  t1NonFinite,
  t2ExplodingGradients,
  t3VanishingGradients,
  t4UpdateRatio,
  t5DeadRelus,
  t6Saturation,
  t7ActivationScale,
  t8ParameterDrift,
  t9StuckParameters,
  t10LrSchedule,
];

export type { Check, CheckContext, CheckKind, FindingInput } from './check.js';
export { makeFinding, tooLittleData } from './check.js';
