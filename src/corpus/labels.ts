/**
 * The labels file of the corpus (`labels.json`): for every run, which checks must fire, which must
 * not, and the onset step of each symptom, derived from what the run actually recorded.
 */
import type { CorpusSplit, ExportFormat } from './plan.js';

/** What a check is expected to do on a run. `either` = the ground truth is borderline: not scored. */
export type Expectation = 'must' | 'mustNot' | 'either';

/** The label of one check on one run. */
export interface CheckLabel {
  readonly expect: Expectation;
  /** Step where the symptom starts (`must` only), for the detection delay. */
  readonly onset: number | null;
  /** The ground-truth measurement behind the label, in words (for humans reading labels.json). */
  readonly why: string;
  /**
   * A `must` C2 whose loss at least doubled from its lowest stretch (and rose by 0.3 or more): a run
   * destroyed, scored against the fatal-fault target; a creep of a few percent is C2 but not fatal.
   */
  readonly fatal?: boolean;
}

/** A live finding as the doctor raised it while the run trained. */
export interface LiveAlert {
  readonly check: string;
  readonly severity: string;
  readonly step: number;
}

/** One labelled run (one log directory, or one exported file). */
export interface LabelledRun {
  /** Directory of the run, relative to the corpus root. */
  readonly dir: string;
  /** Id of the training run it comes from (equal to `dir` for the TensorBoard original). */
  readonly source: string;
  readonly format: 'tensorboard' | ExportFormat;
  readonly split: CorpusSplit;
  readonly fault: string | null;
  readonly arch: string;
  readonly dataset: string;
  readonly seed: number;
  /** Optimiser steps trained. */
  readonly steps: number;
  /** True for a baseline (no fault) whose telemetry shows no labelled symptom. */
  readonly healthy: boolean;
  readonly labels: Readonly<Record<string, CheckLabel>>;
  /** Findings the live doctor raised during training (TensorBoard originals only). */
  readonly live: readonly LiveAlert[];
}

/** The whole labels file. */
export interface CorpusLabels {
  readonly version: 1;
  readonly generated: string;
  readonly quick: boolean;
  readonly runs: readonly LabelledRun[];
}
