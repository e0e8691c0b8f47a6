/**
 * The public shapes of the TF.js doctor: its options and the object `createDoctor` returns.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Check } from '../checks/check.js';
import type { Finding } from '../findings/finding.js';
import type { Run } from '../telemetry/run.js';

/** Where a finding was raised. */
export interface FindingContext {
  /** Global optimiser step (0-based, counted over every `fit`/`trainStep` of this doctor). */
  readonly step: number;
  readonly runId: string;
}

/** Options of {@link createDoctor}. Every field is optional. */
export interface DoctorOptions {
  /** Write a TensorBoard log directory here (Node only). `null`/absent: in memory only. */
  logDir?: string | null;
  /** Id of the in-memory run (default: `logDir`, else `'tfjs'`). */
  runId?: string;
  /** Per-layer statistics every N optimiser steps (default {@link DEFAULT_EVERY}). */
  every?: number;
  /** Histograms every N steps, rounded up to a multiple of `every` (default 5 x `every`). */
  histogramsEvery?: number;
  /** Record loss, metrics and learning rate only: no per-layer statistics (the lowest-overhead mode). */
  lossOnly?: boolean;
  /** Checks evaluated while training (default: the whole registry `checks`). */
  checks?: readonly Check[];
  /**
   * Evaluate the checks every N steps, at each epoch end and when training ends (default {@link DEFAULT_CHECK_EVERY});
   * also early, after the per-layer statistics of steps 2 x `every` and 4 x `every` (unless `lossOnly`).
   */
  checkEvery?: number;
  /** Stop training on a new finding at or above this severity (default `null`: never). */
  stopOn?: 'error' | 'warning' | null;
  /**
   * Called once per new finding: the first finding of a check (and title), and again if that check
   * later escalates to a higher severity. Later evaluations only refresh the evidence `findings()` shows.
   */
  onFinding?: (finding: Finding, context: FindingContext) => void;
  /**
   * Where alerts are printed, one line each (default: standard error). `null` prints nothing;
   * `onFinding` is still called.
   */
  print?: ((line: string) => void) | null;
  /** Most points kept per scalar series in memory before older points are thinned out (default 20000). */
  maxPoints?: number;
}

/** One optimiser step of a custom training loop, for {@link Doctor.trainStep}. */
export interface TrainStepArgs {
  /** Variables to train (default: `model`'s trainable weights, else every trainable variable). */
  variables?: tf.Variable[];
  optimizer: tf.Optimizer;
  /** Computes the scalar loss of one batch (runs the forward pass). */
  loss: () => tf.Scalar;
  /** The model `loss` runs: enables activation statistics and layer-by-layer T1 localisation. */
  model?: tf.LayersModel;
}

/** The doctor: instruments TF.js training and evaluates the catalogue checks while it runs. */
export interface Doctor {
  /** For `model.fit(..., { callbacks: [doctor.callback()] })`: loss/metrics/lr per batch and epoch, live checks, `stopOn`. */
  callback(): tf.CustomCallback;
  /** `model.fit` with per-layer statistics on sampled steps (same arguments and result as `model.fit`). */
  fit(model: tf.LayersModel, x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[], args?: tf.ModelFitArgs): Promise<tf.History>;
  /** One instrumented optimiser step of a custom loop; returns the loss value. */
  trainStep(step: TrainStepArgs): number;
  /** The in-memory telemetry (scalar series thinned beyond `maxPoints`). */
  readonly run: Run;
  /** Every finding raised so far, one per check and title (at its worst severity, latest evidence), worst first. */
  findings(): Finding[];
  /** The finding that stopped training, if any. */
  readonly stopped: Finding | null;
  /** Evaluates every check one last time, flushes and closes the event file. */
  close(): Promise<void>;
}

/** Default sampling period of per-layer statistics (see docs/tfjs.md for the overhead it costs). */
export const DEFAULT_EVERY = 25;
/** Default period of the live check evaluation. */
export const DEFAULT_CHECK_EVERY = 100;
