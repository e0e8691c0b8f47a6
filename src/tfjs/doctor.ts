/**
 * `createDoctor`: wires the pieces together. One global step counter for everything the doctor sees
 * (`fit` calls, `trainStep` calls); per step the loss (and metrics, learning rate) is recorded; on
 * sampled steps the per-layer statistics; the checks run every `checkEvery` steps, at epoch ends, and
 * early on after the 3rd and 5th sampled per-layer points.
 */
import type * as tf from '@tensorflow/tfjs';
import { checks as registry } from '../checks/index.js';
import { t1LiveFinding } from '../checks/t1-non-finite.js';
import type { Finding } from '../findings/finding.js';
import type { Run } from '../telemetry/run.js';
import { learningRate, quietBackend } from './backend.js';
import { callbackList, DoctorCallback } from './callback.js';
import { LiveChecks } from './live-checks.js';
import type { ModelInfo } from './model-info.js';
import { modelInfo, trainableVariables } from './model-info.js';
import type { ReadValues } from './readback.js';
import { Recorder } from './recorder.js';
import type { StepOutcome } from './step.js';
import { instrumentedStep } from './step.js';
import type { Doctor, DoctorOptions, TrainStepArgs } from './doctor-api.js';
import { DEFAULT_CHECK_EVERY, DEFAULT_EVERY } from './doctor-api.js';

type Minimize = tf.Optimizer['minimize'];

/**
 * Share of training wall time the periodic check evaluations may use: an evaluation reads every series
 * of the run, so on long runs of fast steps it would otherwise dominate. Over budget, evaluations are
 * postponed (the one at `close()` always runs; a non-finite loss is raised at once regardless).
 */
const CHECK_TIME_BUDGET = 0.02;

/**
 * Early evaluations: right after the per-layer statistics of steps 2 x `every` and 4 x `every` (the 3rd
 * and 5th sampled points), so a network broken from step 0 (e.g. every ReLU dead, T5) is alerted within
 * the first few sampled steps instead of at the first `checkEvery` step or epoch end. They are skipped
 * over the time budget like the others, but their (one-off) cost is not charged to it.
 */
const EARLY_SAMPLES: readonly number[] = [2, 4];

const positive = (x: number | undefined, fallback: number): number => (x !== undefined && Number.isFinite(x) && x >= 1 ? Math.floor(x) : fallback);

function defaultPrint(): (line: string) => void {
  const proc = (globalThis as { process?: { stderr?: { write(s: string): unknown } } }).process;
  if (proc?.stderr) return (line) => void proc.stderr?.write(`${line}\n`);
  return (line) => console.warn(line);
}

class TfjsDoctor implements Doctor {
  readonly #recorder: Recorder;
  readonly #live: LiveChecks;
  readonly #every: number;
  readonly #histogramsEvery: number;
  readonly #checkEvery: number;
  readonly #lossOnly: boolean;
  readonly #stopOn: 'error' | 'warning' | null;
  readonly #callbacks = new WeakSet<DoctorCallback>();
  #step = 0;
  #epochs = 0;
  #lastLr: number | null = null;
  #t1Raised = false;
  #lastEvaluated = -1;
  #startedAt: number | null = null;
  #evaluationMs = 0;

  constructor(options: DoctorOptions) {
    quietBackend();
    const logDir = options.logDir ?? null;
    this.#recorder = new Recorder(options.runId ?? logDir ?? 'tfjs', logDir, positive(options.maxPoints, 20000));
    this.#every = positive(options.every, DEFAULT_EVERY);
    this.#histogramsEvery = Math.ceil(positive(options.histogramsEvery, 5 * this.#every) / this.#every) * this.#every;
    this.#checkEvery = positive(options.checkEvery, DEFAULT_CHECK_EVERY);
    this.#lossOnly = options.lossOnly === true;
    this.#stopOn = options.stopOn ?? null;
    this.#live = new LiveChecks({
      checks: options.checks ?? registry,
      stopOn: this.#stopOn,
      onFinding: options.onFinding ?? null,
      print: options.print === undefined ? defaultPrint() : options.print,
    });
    const meta = this.#recorder.run.meta;
    meta.set('framework', 'tfjs');
    meta.set('every', this.#lossOnly ? 0 : this.#every);
    meta.set('histogramsEvery', this.#lossOnly ? 0 : this.#histogramsEvery);
  }

  get run(): Run {
    return this.#recorder.run;
  }

  get stopped(): Finding | null {
    return this.#live.stop;
  }

  findings(): Finding[] {
    return this.#live.findings();
  }

  callback(): tf.CustomCallback {
    const cb = new DoctorCallback({
      trainBegin: () => undefined,
      batchEnd: (batch, logs, model) => {
        if (batch === 0) this.#recorder.scalar('epoch', this.#step, this.#epochs);
        const { loss, ...metrics } = numbers(logs);
        this.#endStep(loss ?? NaN, metrics, model?.optimizer ?? null);
        if (this.stopped && model) model.stopTraining = true;
      },
      epochEnd: (logs, model) => {
        const values = numbers(logs);
        for (const [key, value] of Object.entries(values)) {
          if (key.startsWith('val_')) this.#recorder.scalar(key, Math.max(0, this.#step - 1), value);
          this.#recorder.scalar(`epoch_${key}`, this.#epochs, value);
        }
        this.#epochs++;
        this.#evaluate(false);
        this.#recorder.flush();
        if (this.stopped && model) model.stopTraining = true;
      },
      trainEnd: () => {
        this.#evaluate(false);
        this.#recorder.flush();
      },
    });
    this.#callbacks.add(cb);
    return cb;
  }

  async fit(model: tf.LayersModel, x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[], args: tf.ModelFitArgs = {}): Promise<tf.History> {
    const optimizer = (model.optimizer as tf.Optimizer | undefined) ?? null;
    const restore = optimizer ? this.#patch(optimizer, modelInfo(model)) : null;
    const user = callbackList(args.callbacks, args.yieldEvery).filter((c) => !(c instanceof DoctorCallback && this.#callbacks.has(c)));
    try {
      const fitArgs = { ...args, callbacks: [this.callback(), ...user] } as unknown as tf.ModelFitArgs;
      return await model.fit(x, y, fitArgs);
    } finally {
      restore?.();
    }
  }

  trainStep({ variables, optimizer, loss, model }: TrainStepArgs): number {
    const info = model ? modelInfo(model) : null;
    const out = this.#runStep(optimizer, loss, variables ?? (model ? trainableVariables(model) : undefined), info);
    out.value.dispose();
    this.#endStep(out.loss, {}, optimizer);
    return out.loss;
  }

  async close(): Promise<void> {
    this.#evaluate(true);
    await this.#recorder.close();
  }

  /** Replaces `optimizer.minimize` (what `fit`'s train function calls) for the duration of a `fit`. */
  #patch(optimizer: tf.Optimizer, info: ModelInfo): () => void {
    const own = Object.getOwnPropertyDescriptor(optimizer, 'minimize');
    const minimize: Minimize = (f, returnCost = false, varList) => {
      const out = this.#runStep(optimizer, f, varList, info);
      if (returnCost) return out.value;
      out.value.dispose();
      return null;
    };
    Object.defineProperty(optimizer, 'minimize', { value: minimize, configurable: true, writable: true });
    return () => {
      if (own) Object.defineProperty(optimizer, 'minimize', own);
      else delete (optimizer as { minimize?: Minimize }).minimize;
    };
  }

  #runStep(optimizer: tf.Optimizer, lossFn: () => tf.Scalar, varList: tf.Variable[] | undefined, info: ModelInfo | null): StepOutcome {
    const step = this.#step;
    this.#startedAt ??= performance.now();
    const sampled = !this.#lossOnly && step % this.#every === 0;
    const out = instrumentedStep(optimizer, lossFn, varList, info, {
      sampled,
      histograms: sampled && step % this.#histogramsEvery === 0,
      localise: !this.#t1Raised,
      skipNonFinite: this.#stopOn !== null,
    });
    if (out.stats) this.#recordStats(out.stats, step);
    if ((!Number.isFinite(out.loss) || !out.gradientsFinite) && !this.#t1Raised) {
      this.#t1Raised = true;
      const where = out.localisation ?? { kind: 'not-localised' as const, layer: null, param: null, layersChecked: 0 };
      this.#live.raise(t1LiveFinding({ step, loss: out.loss, ...where }), step, this.run.id);
    }
    return out;
  }

  #recordStats(stats: ReadValues, step: number): void {
    for (const [tag, value] of stats.scalars) this.#recorder.scalar(tag, step, value);
    for (const h of stats.histograms) this.#recorder.histogram(h.tag, step, h.values, h.represents);
  }

  /** After the update of step `#step`: loss, metrics, learning rate, a non-finite loss, the check schedule. */
  #endStep(loss: number, metrics: Record<string, number>, optimizer: tf.Optimizer | null): void {
    const step = this.#step;
    this.#startedAt ??= performance.now();
    this.#recorder.scalar('loss', step, loss);
    for (const [key, value] of Object.entries(metrics)) this.#recorder.scalar(key, step, value);
    const lr = learningRate(optimizer);
    if (lr !== null && (lr !== this.#lastLr || step % this.#every === 0)) {
      this.#recorder.scalar('lr', step, lr);
      this.#lastLr = lr;
    }
    if (!Number.isFinite(loss) && !this.#t1Raised) {
      this.#t1Raised = true; // model.fit with only the callback: the batch is not visible here.
      this.#live.raise(t1LiveFinding({ step, loss, kind: 'not-localised', layer: null, param: null, layersChecked: 0 }), step, this.run.id);
    }
    this.#step++;
    if (this.#step % this.#checkEvery === 0) this.#evaluate(false);
    else if (!this.#lossOnly && EARLY_SAMPLES.some((k) => step === k * this.#every)) this.#evaluate(false, true);
  }

  /**
   * Runs the checks unless over the time budget (never skipped when `final`). An `early` evaluation
   * (a handful of sampled points) is a one-off cost that is not charged to the budget, so it does not
   * postpone the regular schedule that follows.
   */
  #evaluate(final: boolean, early = false): void {
    const now = performance.now();
    this.#startedAt ??= now;
    if (!final && (this.#lastEvaluated === this.#step || this.#evaluationMs > CHECK_TIME_BUDGET * (now - this.#startedAt))) return;
    this.#lastEvaluated = this.#step;
    this.#live.evaluate(this.run, Math.max(0, this.#step - 1), final);
    if (!early) this.#evaluationMs += performance.now() - now;
  }
}

/** The numeric entries of fit logs (`batch` and `size` are bookkeeping, not metrics). */
function numbers(logs: tf.Logs): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(logs)) if (typeof value === 'number' && key !== 'batch' && key !== 'size') out[key] = value;
  return out;
}

/**
 * Creates a doctor for TF.js training.
 * @example
 * const doctor = createDoctor({ logDir: 'runs/exp1', stopOn: 'error' });
 * await doctor.fit(model, xs, ys, { epochs: 5, validationSplit: 0.2 });
 * await doctor.close();
 */
export function createDoctor(options: DoctorOptions = {}): Doctor {
  return new TfjsDoctor(options);
}
