/**
 * The demo runner: builds data and model from a training config (optionally with one fault injected),
 * trains with the nndoctor TF.js instrumentation (per-layer telemetry, live findings, a log directory)
 * and diagnoses the run. No console: progress and findings go to callbacks, the CLI prints them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Check } from '../../checks/check.js';
import { diagnoseRun } from '../../diagnose/diagnose.js';
import { makeDir } from '../../formats/make-dir.js';
import type { Diagnosis } from '../../diagnose/diagnose-paths.js';
import type { Finding } from '../../findings/finding.js';
import { sortFindings } from '../../findings/finding.js';
import type { DataSplit, Examples } from '../../faults/arrange.js';
import { arrangeData, epochOrder } from '../../faults/arrange.js';
import { buildModel } from '../build-model.js';
import type { ConfigOverrides, TrainingConfig } from '../../faults/config.js';
import { healthyConfig, learningRateAt, withOverrides } from '../../faults/config.js';
import type { Fault } from '../../faults/fault.js';
import type { Run } from '../../telemetry/run.js';
import { createDoctor } from '../index.js';
import { m1ActivationBeforeSoftmax } from '../probes/m1-activation-before-softmax.js';
import type { Probe } from '../probes/probe.js';
import { loadFashionMnist } from './fashion-mnist.js';
import { loadMnist } from './mnist.js';


/** Per-layer statistics period of the demo: dense enough for the live checks on a few hundred steps. */
export const DEMO_EVERY = 10;
/**
 * Live-check period of the demo (besides epoch ends): every 3 samples of per-layer statistics, so a
 * network that breaks mid-run is named within a few dozen steps (the doctor's time budget still caps
 * the cost; its default of 100 steps suits long runs).
 */
export const DEMO_CHECK_EVERY = 30;

/** Where the demo is, for progress bars. */
export interface DemoProgress {
  /**
   * `loading` (data and model), `batch` (after every optimiser step), `epoch` (after each epoch's
   * validation), `diagnosing` (training is over).
   */
  readonly phase: 'loading' | 'batch' | 'epoch' | 'diagnosing';
  /** 0-based epoch being trained. */
  readonly epoch: number;
  readonly epochs: number;
  /** Optimiser steps done so far, and in the whole run. */
  readonly step: number;
  readonly totalSteps: number;
  /** Loss of the last batch (NaN before the first). */
  readonly loss: number;
  /** Validation loss and accuracy after the last finished epoch, `null` before the first. */
  readonly valLoss: number | null;
  readonly valAccuracy: number | null;
}

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** The fault to inject (default: none, the healthy demo). */
  readonly fault?: Fault | null;
  /** The config before the fault (default {@link healthyConfig}). */
  readonly config?: TrainingConfig;
  /** Applied to the config before the fault (`--epochs`, `--seed`, fewer examples in tests). */
  readonly overrides?: ConfigOverrides;
  /** Directory for the TensorBoard event file and `demo-config.json`; `null` (default) keeps the run in memory. */
  readonly logDir?: string | null;
  /** Checks of the final diagnosis (default: the whole registry). */
  readonly checks?: readonly Check[];
  /** Per-layer statistics every N optimiser steps (default {@link DEMO_EVERY}). */
  readonly every?: number;
  /** Live checks every N optimiser steps, and at epoch ends (default {@link DEMO_CHECK_EVERY}). */
  readonly checkEvery?: number;
  /** Stop training on a live finding at or above this severity (default: never, a demo trains to the end). */
  readonly stopOn?: 'error' | 'warning' | null;
  readonly onProgress?: (progress: DemoProgress) => void;
  /** Called once per live finding as training produces it. */
  readonly onFinding?: (finding: Finding, context: { readonly step: number }) => void;
}

/** What a demo run did. */
export interface DemoResult {
  /** The config actually trained (fault applied). */
  readonly config: TrainingConfig;
  readonly fault: Fault | null;
  readonly logDir: string | null;
  /** The recorded telemetry (what the log directory holds). */
  readonly run: Run;
  /** The final diagnosis of the run (one run). */
  readonly diagnosis: Diagnosis;
  /**
   * Findings of the static model checks run before training (M1): facts about the model's wiring that
   * no log shows, so `nndoctor diagnose <logDir>` reports everything but these.
   */
  readonly modelFindings: readonly Finding[];
  /** Findings reported live while training, in order of arrival. */
  readonly liveFindings: readonly Finding[];
  /** The live finding that stopped training (with `stopOn`), or `null`. */
  readonly stopped: Finding | null;
  readonly steps: number;
  /** Validation accuracy after the last epoch, `null` when no epoch finished. */
  readonly valAccuracy: number | null;
  /** Wall-clock seconds per phase. */
  readonly seconds: { readonly load: number; readonly train: number; readonly diagnose: number; readonly total: number };
}

/**
 * The config a demo trains: `config` (default healthy) with `overrides`, then the fault.
 * @example
 * demoConfig(lrTooHigh, { epochs: 2 }).optimizer.learningRate // 0.1
 */
export function demoConfig(fault: Fault | null = null, overrides: ConfigOverrides = {}, config: TrainingConfig = healthyConfig()): TrainingConfig {
  const base = withOverrides(config, overrides);
  return fault ? fault.apply(base) : base;
}

function loadData(config: TrainingConfig): DataSplit {
  const load = config.data.dataset === 'fashion-mnist' ? loadFashionMnist : loadMnist;
  return load(config.data.train, config.data.validation);
}

function tensors(examples: Examples): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const n = examples.labels.length;
  const x = tf.tensor2d(examples.inputs, [n, examples.features]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(examples.labels), 'int32'), examples.classes).toFloat() as tf.Tensor2D);
  return { x, y };
}

const seconds = (from: number): number => (performance.now() - from) / 1000;

/** Static model checks of the pre-flight catalogue that need no training: cheap, run before every demo. */
const STATIC_MODEL_PROBES: readonly Probe[] = [m1ActivationBeforeSoftmax];

async function staticModelFindings(model: tf.LayersModel, train: { x: tf.Tensor2D; y: tf.Tensor2D }, config: TrainingConfig): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const probe of STATIC_MODEL_PROBES) {
    out.push(
      ...(await probe.run({
        model,
        data: { x: train.x, y: train.y, kind: 'image' },
        training: { loss: 'categoricalCrossentropy', optimizer: config.optimizer.name, learningRate: config.optimizer.learningRate, batchSize: config.batchSize },
        budgetMs: 2_000,
        seed: config.seed,
      })),
    );
  }
  return out;
}

/**
 * Trains the demo network (with `fault` injected, if any) under the nndoctor instrumentation and
 * diagnoses the run.
 * @example
 * const result = await runDemo({ fault: findFault('lr-too-high') ?? null, logDir: 'nndoctor-demo/lr-too-high' });
 * result.diagnosis.runs[0]?.findings.map((f) => f.check) // ['T5']
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  const fault = options.fault ?? null;
  const config = demoConfig(fault, options.overrides ?? {}, options.config ?? healthyConfig());
  const logDir = options.logDir ?? null;
  const stepsPerEpoch = Math.ceil(config.data.train / config.batchSize);
  const totalSteps = stepsPerEpoch * config.epochs;
  let progress: DemoProgress = { phase: 'loading', epoch: 0, epochs: config.epochs, step: 0, totalSteps, loss: NaN, valLoss: null, valAccuracy: null };
  const report = (p: Partial<DemoProgress>): void => {
    progress = { ...progress, ...p };
    options.onProgress?.(progress);
  };
  report({});

  const data = arrangeData(loadData(config), config.data, config.seed);
  if (logDir !== null) {
    makeDir(logDir);
    writeFileSync(join(logDir, 'demo-config.json'), `${JSON.stringify({ fault: fault?.id ?? null, config }, null, 2)}\n`);
  }
  const train = tensors(data.train);
  const val = tensors(data.validation);
  let model: tf.LayersModel;
  try {
    model = buildModel(config, data.train.features, data.train.classes);
  } catch (cause) {
    tf.dispose([train.x, train.y, val.x, val.y]);
    throw cause;
  }
  const modelFindings = await staticModelFindings(model, train, config);
  const loaded = performance.now();

  const live: Finding[] = [];
  const doctor = createDoctor({
    logDir,
    ...(logDir !== null ? { runId: logDir } : { runId: fault ? `demo/${fault.id}` : 'demo/healthy' }),
    stopOn: options.stopOn ?? null,
    every: options.every ?? DEMO_EVERY,
    checkEvery: options.checkEvery ?? DEMO_CHECK_EVERY,
    print: null,
    onFinding: (finding, context) => {
      live.push(finding);
      options.onFinding?.(finding, { step: context.step });
    },
  });
  let step = 0;
  const setRate = (lr: number): void => {
    (model.optimizer as unknown as { learningRate: number }).learningRate = lr;
  };
  const progressCallback = new tf.CustomCallback({
    // A learning-rate schedule (lr-spike, lr-decay-too-fast) sets the rate before each step, as a scheduler callback would.
    ...(config.optimizer.schedule ? { onBatchBegin: async () => setRate(learningRateAt(config.optimizer, step, totalSteps)) } : {}),
    onBatchEnd: async (_batch, logs) => {
      step++;
      report({ phase: 'batch', step, loss: logs?.['loss'] ?? NaN });
    },
    onEpochEnd: async (_epoch, logs) => {
      report({ phase: 'epoch', valLoss: logs?.['val_loss'] ?? null, valAccuracy: logs?.['val_acc'] ?? null });
    },
  });
  try {
    for (let epoch = 0; epoch < config.epochs && doctor.stopped === null; epoch++) {
      progress = { ...progress, epoch };
      const order = epochOrder(data.train.labels.length, config.data, config.seed, epoch);
      const indices = order ? tf.tensor1d(order, 'int32') : null;
      const x = indices ? tf.gather(train.x, indices) : train.x;
      const y = indices ? tf.gather(train.y, indices) : train.y;
      try {
        await doctor.fit(model, x, y, {
          epochs: epoch + 1,
          initialEpoch: epoch,
          batchSize: config.batchSize,
          shuffle: false,
          validationData: [val.x, val.y],
          verbose: 0,
          callbacks: [progressCallback],
        });
      } finally {
        if (indices) tf.dispose([indices, x, y]);
      }
    }
  } finally {
    await doctor.close();
    tf.dispose([train.x, train.y, val.x, val.y]);
    model.optimizer.dispose();
    model.dispose();
  }
  const trained = performance.now();
  report({ phase: 'diagnosing' });
  const { report: fromTelemetry, problems } = diagnoseRun(doctor.run, options.checks ? { checks: options.checks } : {});
  const runReport =
    modelFindings.length === 0
      ? fromTelemetry
      : {
          ...fromTelemetry,
          notes: [...fromTelemetry.notes, `${modelFindings.map((f) => f.check).join(', ')}: from a static look at the model before training (as in nndoctor preflight), not from the logs`],
          findings: sortFindings([...fromTelemetry.findings, ...modelFindings]),
        };
  const diagnosis: Diagnosis = { version: 1, runs: [runReport], problems };
  return {
    config,
    fault,
    logDir,
    run: doctor.run,
    diagnosis,
    modelFindings,
    liveFindings: live,
    stopped: doctor.stopped,
    steps: step,
    valAccuracy: progress.valAccuracy,
    seconds: { load: (loaded - started) / 1000, train: (trained - loaded) / 1000, diagnose: seconds(trained), total: seconds(started) },
  };
}
