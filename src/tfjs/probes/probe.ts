/**
 * The probe port: a pre-flight experiment from the checklist (D, M and P checks of CHECKS.md) that
 * executes a TF.js model. Like a check it is a plain object with an id; unlike a check it is async,
 * gets a time budget, and must leave the user's model and data exactly as it found them (probes work
 * on clones, and restore weights when they must touch the original).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Finding, Severity } from '../../findings/finding.js';

/** The data a probe may use. Tensors belong to the caller: probes never dispose or modify them. */
export interface ProbeData {
  /** Training inputs, batch first (one tensor per model input). */
  readonly x: tf.Tensor | readonly tf.Tensor[];
  /** Training targets, batch first (one tensor per model output). */
  readonly y: tf.Tensor | readonly tf.Tensor[];
  readonly xVal?: tf.Tensor | readonly tf.Tensor[];
  readonly yVal?: tf.Tensor | readonly tf.Tensor[];
  readonly xTest?: tf.Tensor | readonly tf.Tensor[];
  readonly yTest?: tf.Tensor | readonly tf.Tensor[];
  /** What the inputs are, for probes that show or reason about them (D2, D7). Default `tabular`. */
  readonly kind?: 'tabular' | 'image' | 'sequence';
  /** Feature or class names when known (tables, label names). */
  readonly featureNames?: readonly string[];
  readonly classNames?: readonly string[];
}

/** How the model is trained: from the saved model's training config, or given by the user. */
export interface TrainingSpec {
  /** A Keras/TF.js loss name (`categoricalCrossentropy`, `sparseCategoricalCrossentropy`, `binaryCrossentropy`, `meanSquaredError`...). */
  readonly loss: string;
  /** Whether the loss expects logits (`from_logits=True`); TF.js built-in losses expect probabilities. */
  readonly fromLogits?: boolean;
  readonly optimizer: 'adam' | 'sgd' | 'rmsprop' | 'adagrad' | 'adadelta' | 'adamax';
  readonly learningRate: number;
  readonly batchSize: number;
  readonly metrics?: readonly string[];
}

/** Where a probe may write artefacts (D7's batch image, P5's table). Absent: the probe keeps them in evidence only. */
export interface ArtefactSink {
  /** Writes `data` under `name` (a plain file name) and returns the path written. */
  write(name: string, data: Uint8Array | string): Promise<string>;
}

/** What every probe receives. */
export interface ProbeContext {
  /** The user's model. Never train or modify it: clone it (see `cloneModel`) or restore what you change. */
  readonly model: tf.LayersModel;
  readonly data: ProbeData;
  readonly training: TrainingSpec;
  /** Milliseconds this probe may take; stop early (with what you have) when exceeded. */
  readonly budgetMs: number;
  /** Seed for every random choice, so runs are reproducible. */
  readonly seed: number;
  readonly artefacts?: ArtefactSink;
  /** Aborted when the whole preflight is cancelled or over budget. */
  readonly signal?: AbortSignal;
  /** Reports progress within this probe, 0..1. */
  readonly progress?: (fraction: number) => void;
}

/** A pre-flight probe. */
export interface Probe {
  /** Catalogue id: `D1`..`D8`, `M1`..`M12`, `P1`..`P8`. */
  readonly id: string;
  readonly title: string;
  /** The most severe finding it can emit. */
  readonly severity: Severity;
  readonly kind: 'probe';
  /** One sentence: what it runs and what it detects. */
  readonly description: string;
  /** Default time budget in milliseconds. */
  readonly budgetMs: number;
  run(ctx: ProbeContext): Promise<Finding[]>;
}
