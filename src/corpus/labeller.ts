/**
 * The labeller: ground truth from the recorded telemetry, with simple rules that do not use the
 * checks. Each rule gives `must` (symptom clearly present, with its onset step), `mustNot` (clearly
 * absent) or `either` (borderline: not scored). Thresholds are fixed here, in the open, and were not
 * tuned against the checks' output.
 */
import type { Run } from '../telemetry/run.js';
import { curveLabels } from './curve-labels.js';
import { layerTags, must, mustNot, points } from './label-kit.js';
import { layerLabels } from './layer-labels.js';
import type { CheckLabel } from './labels.js';

/** The checks the labeller has a ground-truth rule for. */
export const LABELLED_CHECKS = ['C1', 'C2', 'C3', 'C6', 'C7', 'C9', 'C10', 'T1', 'T3', 'T5', 'T9', 'T10'] as const;

/** Facts about the run the telemetry does not hold. */
export interface LabelContext {
  readonly classes: number;
  readonly stepsPerEpoch: number;
}

/**
 * Labels one run from its telemetry (`loss`, `val_loss`, `grad_norm/*`, `weight_norm/*`,
 * `act_dead_frac/*` as the TF.js doctor records them).
 * @example
 * const labels = labelRun(result.run, { classes: 10, stepsPerEpoch: 20 });
 * labels['C6']?.expect // 'must' when the loss went NaN, with labels['C6'].onset = its first step
 */
export function labelRun(run: Run, ctx: LabelContext): Record<string, CheckLabel> {
  const out: Record<string, CheckLabel> = {};
  const loss = points(run, 'loss');

  // C6 / T1: first non-finite loss, or first non-finite gradient norm sample.
  let nanStep = loss.values.findIndex((v) => !Number.isFinite(v));
  nanStep = nanStep === -1 ? -1 : (loss.steps[nanStep] as number);
  for (const tag of layerTags(run, 'grad_norm/')) {
    const g = points(run, tag);
    const i = g.values.findIndex((v) => !Number.isFinite(v));
    if (i !== -1 && (nanStep === -1 || (g.steps[i] as number) < nanStep)) nanStep = g.steps[i] as number;
  }
  if (nanStep >= 0) {
    out['C6'] = must(nanStep, `loss or a gradient is non-finite from step ${nanStep}`);
    out['T1'] = must(nanStep, `loss or a gradient is non-finite from step ${nanStep}`);
  } else {
    out['C6'] = mustNot('every loss and gradient-norm value is finite');
    out['T1'] = mustNot('every loss and gradient-norm value is finite');
  }
  // The finite prefix of the loss drives the curve rules.
  const end = nanStep >= 0 ? loss.steps.findIndex((s) => s >= nanStep) : loss.values.length;
  const values = loss.values.slice(0, end === -1 ? loss.values.length : end);
  const steps = loss.steps.slice(0, values.length);
  return { ...out, ...curveLabels(run, { steps, values }, nanStep >= 0, ctx), ...layerLabels(run, nanStep >= 0, steps[steps.length - 1] ?? 0) };
}
