/**
 * Shared machinery of the M7-M12 and P1-P8 probes: budgets, per-sample losses, compiling and training
 * clones, rebuilding a model with an edited topology, tracing every layer's output, and row selection.
 * Nothing here touches the user's model or tensors except to read them.
 */
import * as tf from '@tensorflow/tfjs';
import type { ProbeContext, ProbeData, TrainingSpec } from './probe.js';
import { seededRandom } from '../../random/seeded.js';

/** One tensor or several, as `ProbeData` holds them. */
export type Tensors = tf.Tensor | readonly tf.Tensor[];

/**
 * The tensors as an array.
 * @example
 * const [x0] = asArray(data.x);
 */
export function asArray(t: Tensors): tf.Tensor[] {
  return Array.isArray(t) ? [...(t as readonly tf.Tensor[])] : [t as tf.Tensor];
}

/**
 * Number of examples (the batch dimension of the first input).
 * @example
 * exampleCount(ctx.data.x) // 128
 */
export function exampleCount(t: Tensors): number {
  return asArray(t)[0]?.shape[0] ?? 0;
}

/**
 * New tensors holding rows `indices` of each tensor (the caller disposes them).
 * @example
 * const xs = takeRows(ctx.data.x, [0, 1, 2]);
 */
export function takeRows(t: Tensors, indices: readonly number[]): tf.Tensor[] {
  return tf.tidy(() => {
    const idx = tf.tensor1d([...indices], 'int32');
    return asArray(t).map((a) => tf.gather(a, idx));
  });
}

/**
 * Rows `[start, start + size)` of each tensor (new tensors).
 * @example
 * const batch = sliceRows(ctx.data.x, 0, 32);
 */
export function sliceRows(t: Tensors, start: number, size: number): tf.Tensor[] {
  return asArray(t).map((a) => a.slice(start, Math.max(0, Math.min(size, a.shape[0]! - start))));
}

/** One value or the single element of an array: what `fit`/`apply` expect. */
export function unwrap(ts: readonly tf.Tensor[]): tf.Tensor | tf.Tensor[] {
  return ts.length === 1 ? ts[0]! : [...ts];
}

/** A time budget that also honours the preflight's abort signal. */
export interface Deadline {
  /** Milliseconds left (never negative). */
  left(): number;
  /** True once the budget is spent or the run was aborted. */
  over(): boolean;
  /** Milliseconds since the start. */
  elapsed(): number;
}

/**
 * Starts the clock for a probe; `fraction` of the budget (default all of it).
 * @example
 * const clock = deadline(ctx); while (!clock.over()) { ... }
 */
export function deadline(ctx: Pick<ProbeContext, 'budgetMs' | 'signal'>, fraction = 1): Deadline {
  const start = performance.now();
  const budget = Math.max(0, ctx.budgetMs * fraction);
  return {
    left: () => Math.max(0, budget - (performance.now() - start)),
    over: () => ctx.signal?.aborted === true || performance.now() - start >= budget,
    elapsed: () => performance.now() - start,
  };
}

/**
 * Lets timers and the abort signal fire between synchronous TF.js steps.
 * @example
 * await breathe();
 */
export function breathe(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A small seeded generator (mulberry32) for every random choice a probe makes.
 * @example
 * const rand = rng(ctx.seed); rand() // in [0, 1)
 */
export function rng(seed: number): () => number {
  return seededRandom(seed >>> 0 || 0x9e3779b9);
}

/** Keras / TF.js loss name in camelCase (`categorical_crossentropy` -> `categoricalCrossentropy`; `mse` -> `meanSquaredError`). */
export function normaliseLoss(name: string): string {
  const camel = name.trim().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  const lower = camel.toLowerCase();
  const aliases: Record<string, string> = {
    mse: 'meanSquaredError',
    meansquarederror: 'meanSquaredError',
    mae: 'meanAbsoluteError',
    meanabsoluteerror: 'meanAbsoluteError',
    categoricalcrossentropy: 'categoricalCrossentropy',
    sparsecategoricalcrossentropy: 'sparseCategoricalCrossentropy',
    binarycrossentropy: 'binaryCrossentropy',
    huber: 'huber',
    hinge: 'hinge',
    squaredhinge: 'squaredHinge',
    logcosh: 'logcosh',
    poisson: 'poisson',
  };
  return aliases[lower] ?? camel;
}

/** The loss of each model output: `spec.loss` may list one loss per output, comma-separated. */
export function lossNames(spec: TrainingSpec, outputs: number): string[] {
  const parts = spec.loss.split(',').map((s) => normaliseLoss(s)).filter((s) => s.length > 0);
  return Array.from({ length: outputs }, (_v, i) => parts[i] ?? parts[parts.length - 1] ?? 'meanSquaredError');
}

/** Whether the loss is a classification loss (cross-entropy or hinge). */
export function isClassificationLoss(name: string): boolean {
  const n = normaliseLoss(name);
  return /crossentropy|hinge/i.test(n);
}

const EPS = 1e-7;

/**
 * The per-example loss `[batch]` for one output, as Keras computes it (`fromLogits` applies
 * softmax/sigmoid first, as `from_logits=True` does).
 * @example
 * const perExample = lossPerExample('categoricalCrossentropy', false)(yTrue, yPred);
 */
export function lossPerExample(name: string, fromLogits = false): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor {
  const n = normaliseLoss(name);
  const rowMean = (t: tf.Tensor): tf.Tensor => (t.rank <= 1 ? t : t.reshape([t.shape[0]!, -1]).mean(1));
  switch (n) {
    case 'meanSquaredError':
      return (yt, yp) => tf.tidy(() => rowMean(tf.squaredDifference(yp, yt.reshape(yp.shape).toFloat())));
    case 'meanAbsoluteError':
      return (yt, yp) => tf.tidy(() => rowMean(tf.abs(tf.sub(yp, yt.reshape(yp.shape).toFloat()))));
    case 'huber':
      return (yt, yp) =>
        tf.tidy(() => {
          const d = tf.abs(tf.sub(yp, yt.reshape(yp.shape).toFloat()));
          return rowMean(tf.where(tf.lessEqual(d, 1), tf.mul(0.5, tf.square(d)), tf.sub(d, 0.5)));
        });
    case 'logcosh':
      return (yt, yp) => tf.tidy(() => rowMean(tf.log(tf.cosh(tf.sub(yp, yt.reshape(yp.shape).toFloat())))));
    case 'categoricalCrossentropy':
      return (yt, yp) =>
        tf.tidy(() => {
          const logp = fromLogits ? tf.logSoftmax(yp) : tf.log(tf.clipByValue(tf.div(yp, tf.sum(yp, -1, true)), EPS, 1 - EPS));
          return tf.neg(tf.sum(tf.mul(yt.toFloat(), logp), -1));
        });
    case 'sparseCategoricalCrossentropy':
      return (yt, yp) =>
        tf.tidy(() => {
          const classes = yp.shape[yp.shape.length - 1]!;
          const oh = tf.oneHot(yt.flatten().toInt(), classes).toFloat().reshape(yp.shape);
          const logp = fromLogits ? tf.logSoftmax(yp) : tf.log(tf.clipByValue(tf.div(yp, tf.sum(yp, -1, true)), EPS, 1 - EPS));
          return tf.neg(tf.sum(tf.mul(oh, logp), -1));
        });
    case 'binaryCrossentropy':
      return (yt, yp) =>
        tf.tidy(() => {
          const y = yt.reshape(yp.shape).toFloat();
          if (fromLogits) {
            // max(z, 0) - z*y + log(1 + exp(-|z|))
            return rowMean(tf.add(tf.sub(tf.relu(yp), tf.mul(yp, y)), tf.log1p(tf.exp(tf.neg(tf.abs(yp))))));
          }
          const p = tf.clipByValue(yp, EPS, 1 - EPS);
          return rowMean(tf.neg(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))))));
        });
    case 'hinge':
      return (yt, yp) => tf.tidy(() => rowMean(tf.relu(tf.sub(1, tf.mul(yt.reshape(yp.shape).toFloat(), yp)))));
    case 'squaredHinge':
      return (yt, yp) => tf.tidy(() => rowMean(tf.square(tf.relu(tf.sub(1, tf.mul(yt.reshape(yp.shape).toFloat(), yp))))));
    case 'poisson':
      return (yt, yp) => tf.tidy(() => rowMean(tf.sub(yp, tf.mul(yt.reshape(yp.shape).toFloat(), tf.log(tf.add(yp, EPS))))));
    default:
      throw new Error(`unsupported loss '${name}': expected meanSquaredError, meanAbsoluteError, huber, logcosh, categoricalCrossentropy, sparseCategoricalCrossentropy, binaryCrossentropy, hinge, squaredHinge or poisson`);
  }
}

/**
 * The mean loss of `model` on `(x, y)` in inference mode, one value per output plus their sum.
 * @example
 * const { total, perOutput } = evaluateLoss(model, x, y, spec);
 */
export function evaluateLoss(model: tf.LayersModel, x: Tensors, y: Tensors, spec: TrainingSpec, training = false): { total: number; perOutput: number[] } {
  const perOutput = tf.tidy(() => {
    const out = asArray(model.apply(unwrap(asArray(x)), { training }) as tf.Tensor | tf.Tensor[]);
    const ys = asArray(y);
    const names = lossNames(spec, out.length);
    return out.map((o, i) => lossPerExample(names[i]!, spec.fromLogits)(ys[i] ?? ys[0]!, o).mean());
  });
  const values = perOutput.map((t) => t.dataSync()[0]!);
  tf.dispose(perOutput);
  return { total: values.reduce((a, b) => a + b, 0), perOutput: values };
}

/**
 * The summed mean loss as a scalar tensor (inside a gradient function).
 * @example
 * tf.variableGrads(() => lossTensor(model, x, y, spec) as tf.Scalar)
 */
export function lossTensor(model: tf.LayersModel, x: readonly tf.Tensor[], y: readonly tf.Tensor[], spec: TrainingSpec, training = true): tf.Scalar {
  const out = asArray(model.apply(unwrap(x), { training }) as tf.Tensor | tf.Tensor[]);
  const names = lossNames(spec, out.length);
  let total: tf.Tensor = tf.scalar(0);
  out.forEach((o, i) => {
    total = tf.add(total, lossPerExample(names[i]!, spec.fromLogits)(y[i] ?? y[0]!, o).mean());
  });
  return total as tf.Scalar;
}

/**
 * Compiles a clone with a fresh optimizer and nndoctor's own per-example losses (so `fromLogits` and
 * comma-separated per-output losses work).
 * @example
 * compileProbe(clone, spec, { learningRate: 1e-2 });
 */
export function compileProbe(model: tf.LayersModel, spec: TrainingSpec, override: Partial<Pick<TrainingSpec, 'optimizer' | 'learningRate'>> = {}): tf.Optimizer {
  const optimizer = makeProbeOptimizer(override.optimizer ?? spec.optimizer, override.learningRate ?? spec.learningRate);
  const names = lossNames(spec, model.outputs.length);
  const losses = names.map((n) => lossPerExample(n, spec.fromLogits) as (a: tf.Tensor, b: tf.Tensor) => tf.Scalar);
  model.compile({ optimizer, loss: losses.length === 1 ? losses[0]! : losses });
  return optimizer;
}

/** A fresh optimizer. */
export function makeProbeOptimizer(name: TrainingSpec['optimizer'], learningRate: number): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
    case 'adagrad':
      return tf.train.adagrad(learningRate);
    case 'adadelta':
      return tf.train.adadelta(learningRate);
    case 'adamax':
      return tf.train.adamax(learningRate);
    default:
      return tf.train.adam(learningRate);
  }
}

/**
 * Sets an optimizer's learning rate in place (all TF.js optimizers read it at each step).
 * @example
 * setLearningRate(model.optimizer, 1e-3);
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

/**
 * Disposes a probe's model and the optimizer it was compiled with (TF.js does not dispose an
 * optimizer passed as an object).
 * @example
 * disposeModel(clone);
 */
export function disposeModel(model: tf.LayersModel | null | undefined): void {
  if (!model) return;
  let optimizer: tf.Optimizer | undefined;
  try {
    optimizer = (model as unknown as { optimizer_?: tf.Optimizer }).optimizer_;
  } catch {
    optimizer = undefined;
  }
  try {
    model.dispose();
  } catch {
    // already disposed
  }
  optimizer?.dispose();
}

/** Options of {@link trainEpochs}. */
export interface TrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
  /** Called after each epoch with its mean training loss; return `false` to stop. */
  readonly onEpoch?: (epoch: number, loss: number) => boolean | void | Promise<boolean | void>;
  readonly deadline?: Deadline;
  /** Row order; default 0..n-1 every epoch (deterministic, unlike `fit({ shuffle: true })`). */
  readonly order?: (epoch: number) => readonly number[];
  /** Without `order`: shuffle the rows every epoch with this seed (a seeded, reproducible shuffle). */
  readonly seed?: number;
}

/**
 * A seeded permutation of 0..n-1.
 * @example
 * permutation(5, 42) // e.g. [3, 0, 4, 1, 2]
 */
export function permutation(n: number, seed: number): number[] {
  const rand = rng(seed);
  const p = Array.from({ length: n }, (_v, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/**
 * `k` distinct row indices out of `n`, drawn with a seed and sorted (all rows when `k >= n`), so a
 * fixed batch depends neither on how the data are ordered nor on a period in that order.
 * @example
 * sampleRows(100, 4, 42) // e.g. [7, 33, 61, 90]
 */
export function sampleRows(n: number, k: number, seed: number): number[] {
  return permutation(n, seed).slice(0, Math.min(n, k)).sort((a, b) => a - b);
}

/**
 * Trains a compiled model batch by batch in a fixed order with `trainOnBatch`; returns the mean loss of each epoch.
 * @example
 * const losses = await trainEpochs(clone, x, y, { epochs: 5, batchSize: 32 });
 */
export async function trainEpochs(model: tf.LayersModel, x: Tensors, y: Tensors, options: TrainOptions): Promise<number[]> {
  const n = exampleCount(x);
  const bs = Math.max(1, Math.min(options.batchSize, n));
  const losses: number[] = [];
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    if (options.deadline?.over()) break;
    const order = options.order?.(epoch) ?? (options.seed !== undefined ? permutation(n, options.seed + epoch) : undefined);
    let sum = 0;
    let batches = 0;
    for (let start = 0; start < n; start += bs) {
      const idx = order ? order.slice(start, start + bs) : null;
      const xb = idx ? takeRows(x, idx) : sliceRows(x, start, bs);
      const yb = idx ? takeRows(y, idx) : sliceRows(y, start, bs);
      try {
        const loss = await model.trainOnBatch(unwrap(xb), unwrap(yb));
        sum += Array.isArray(loss) ? (loss[0] ?? NaN) : loss;
      } finally {
        tf.dispose([...xb, ...yb]);
      }
      batches++;
    }
    const mean = sum / Math.max(1, batches);
    losses.push(mean);
    await breathe();
    if ((await options.onEpoch?.(epoch, mean)) === false) break;
  }
  return losses;
}

/**
 * Training and validation sets: the given validation data, or a seeded random 20% of the training
 * rows (at least one row each; random so that data sorted by class still gives a fair split).
 * Returned tensors are new; dispose with `disposeSplit`.
 * @example
 * const split = trainValSplit(ctx.data, 0.2, ctx.seed); ...; disposeSplit(split);
 */
export function trainValSplit(data: ProbeData, valFraction = 0.2, seed = 1): { x: tf.Tensor[]; y: tf.Tensor[]; xVal: tf.Tensor[]; yVal: tf.Tensor[]; given: boolean } {
  if (data.xVal && data.yVal && exampleCount(data.xVal) > 0) {
    return { x: asArray(data.x).map((t) => t.clone()), y: asArray(data.y).map((t) => t.clone()), xVal: asArray(data.xVal).map((t) => t.clone()), yVal: asArray(data.yVal).map((t) => t.clone()), given: true };
  }
  const n = exampleCount(data.x);
  const nVal = Math.min(n - 1, Math.max(1, Math.round(n * valFraction)));
  const perm = permutation(n, seed);
  const val = perm.slice(0, nVal).sort((a, b) => a - b);
  const train = perm.slice(nVal).sort((a, b) => a - b);
  return { x: takeRows(data.x, train), y: takeRows(data.y, train), xVal: takeRows(data.x, val), yVal: takeRows(data.y, val), given: false };
}

/** Disposes what {@link trainValSplit} returned. */
export function disposeSplit(split: { x: tf.Tensor[]; y: tf.Tensor[]; xVal: tf.Tensor[]; yVal: tf.Tensor[] }): void {
  tf.dispose([...split.x, ...split.y, ...split.xVal, ...split.yVal]);
}

/** A layer's config from a topology, as saved (snake_case keys). */
export type LayerJson = { class_name: string; config: Record<string, unknown> & { name?: string }; [k: string]: unknown };

/** Every layer entry of a saved topology, including those nested in sub-models. */
export function topologyLayers(topology: unknown): LayerJson[] {
  const out: LayerJson[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { class_name?: unknown; config?: { layers?: unknown } };
    if (typeof n.class_name === 'string' && n.config && typeof n.config === 'object') {
      const layers = (n.config as { layers?: unknown }).layers;
      if (Array.isArray(layers)) {
        for (const l of layers) {
          const lj = l as LayerJson;
          if (lj && typeof lj === 'object' && typeof lj.class_name === 'string') {
            out.push(lj);
            visit(lj);
          }
        }
      }
    }
  };
  visit(topology);
  return out;
}

/**
 * The model's saved form (topology JSON and weights), without any file I/O.
 * @example
 * const artifacts = await modelArtifacts(model);
 */
export async function modelArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (artifacts === null) throw new Error('the model could not be serialised');
  return artifacts;
}

/**
 * A copy of `model` (same weights) whose topology was edited by `edit` (e.g. a stronger L2 or a
 * dropout rate). `edit` receives every layer entry and may change its `config` in place.
 * Returns `null` when `edit` reports no change (returns false for every layer).
 * @example
 * const strong = await rebuildWith(model, (l) => { if (l.class_name === 'Dropout') { l.config.rate = 0.5; return true; } return false; });
 */
export async function rebuildWith(model: tf.LayersModel, edit: (layer: LayerJson) => boolean): Promise<tf.LayersModel | null> {
  const artifacts = await modelArtifacts(model);
  const topology = JSON.parse(JSON.stringify(artifacts.modelTopology)) as unknown;
  let changed = false;
  for (const layer of topologyLayers(topology)) if (edit(layer)) changed = true;
  if (!changed) return null;
  const { trainingConfig: _ignored, ...rest } = artifacts;
  const copy = await tf.loadLayersModel(tf.io.fromMemory({ ...rest, modelTopology: topology as object }));
  copy.trainable = model.trainable;
  model.layers.forEach((layer, i) => {
    const c = copy.layers[i];
    if (c) c.trainable = layer.trainable;
  });
  return copy;
}

/** The output tensors of one layer in a trace. */
export interface LayerTrace {
  readonly layer: tf.layers.Layer;
  readonly index: number;
  readonly outputs: tf.Tensor[];
}

/**
 * Every layer's outputs for input `x`, in the model's topological order (input layers left out).
 * Layers used more than once (shared layers) are traced at their first use. Dispose the result with
 * {@link disposeTrace}. Only reads the model.
 * @example
 * const trace = traceLayers(clone, x, false);
 */
export function traceLayers(model: tf.LayersModel, x: readonly tf.Tensor[], training: boolean): LayerTrace[] {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const symbolic: tf.SymbolicTensor[] = [];
  const spans: Array<[number, number]> = [];
  for (const l of layers) {
    const out = l.inboundNodes.length > 1 ? l.getOutputAt(0) : l.output;
    const outs = Array.isArray(out) ? out : [out];
    spans.push([symbolic.length, outs.length]);
    symbolic.push(...outs);
  }
  const tracer = tf.model({ inputs: model.inputs, outputs: symbolic });
  const values = asArray(tracer.apply(unwrap(x), { training }) as tf.Tensor | tf.Tensor[]);
  return layers.map((layer, i) => {
    const [start, count] = spans[i]!;
    return { layer, index: model.layers.indexOf(layer), outputs: values.slice(start, start + count) };
  });
}

/** Disposes a trace's tensors. */
export function disposeTrace(trace: readonly LayerTrace[]): void {
  tf.dispose(trace.flatMap((t) => t.outputs));
}

/**
 * The `[batch]` class indices of targets or predictions: argmax of one-hot / probability rows,
 * the value itself for sparse labels, `> 0.5` (or `> 0` for logits) for one binary column.
 * @example
 * classIndices(yPred, 'binaryCrossentropy', false)
 */
export function classIndices(t: tf.Tensor, loss: string, fromLogits: boolean, isTarget: boolean): number[] {
  return tf.tidy(() => {
    const last = t.rank > 1 ? t.shape[t.rank - 1]! : 1;
    if (last === 1 || t.rank === 1) {
      const flat = t.reshape([t.shape[0]!]);
      if (normaliseLoss(loss) === 'sparseCategoricalCrossentropy' && isTarget) return Array.from(flat.dataSync()).map((v) => Math.round(v));
      const cut = !isTarget && fromLogits ? 0 : 0.5;
      return Array.from(flat.dataSync()).map((v) => (v > cut ? 1 : 0));
    }
    return Array.from(t.reshape([t.shape[0]!, -1]).argMax(1).dataSync());
  });
}

/**
 * The model's trainable variables by layer (only layers that own weights).
 * @example
 * for (const { layer, weights } of weightsByLayer(model)) ...
 */
export function weightsByLayer(model: tf.LayersModel): Array<{ layer: tf.layers.Layer; weights: tf.LayerVariable[] }> {
  return model.layers.filter((l) => l.weights.length > 0).map((layer) => ({ layer, weights: layer.weights }));
}

/** Max |a - b| and the relative difference ||a - b|| / max(||a||, ||b||, tiny). */
export function difference(a: tf.Tensor, b: tf.Tensor): { maxAbs: number; relative: number } {
  return tf.tidy(() => {
    if (a.shape.join() !== b.shape.join()) return { maxAbs: Infinity, relative: Infinity };
    const d = tf.sub(a.toFloat(), b.toFloat());
    const maxAbs = d.size === 0 ? 0 : tf.max(tf.abs(d)).dataSync()[0]!;
    const nd = tf.norm(d).dataSync()[0]!;
    const na = tf.norm(a.toFloat()).dataSync()[0]!;
    const nb = tf.norm(b.toFloat()).dataSync()[0]!;
    const relative = nd === 0 ? 0 : nd / Math.max(na, nb, 1e-12);
    return { maxAbs, relative };
  });
}

/** Rounds for evidence (6 significant digits). */
export function round(x: number, digits = 6): number {
  return Number.isFinite(x) ? Number(x.toPrecision(digits)) : x;
}

/** The first `n` values of a tensor, flattened, rounded. */
export function firstValues(t: tf.Tensor, n: number): number[] {
  return Array.from(t.flatten().slice(0, Math.min(n, t.size)).dataSync()).map((v) => round(v, 4));
}
