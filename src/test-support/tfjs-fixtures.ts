/**
 * Tiny TF.js models and data sets for probe tests, and a harness that runs a probe and checks the
 * probe contract: the user's model weights and data are unchanged and not disposed.
 */
import * as tf from '@tensorflow/tfjs';
import type { Finding } from '../findings/finding.js';
import type { Probe, ProbeData, TrainingSpec } from '../tfjs/probes/probe.js';

tf.env().set('PROD', true);

/** Seeded normal samples. */
function normals(shape: number[], seed: number, std = 1): tf.Tensor {
  return tf.randomNormal(shape, 0, std, 'float32', seed);
}

/**
 * A classification set of Gaussian blobs: `n` examples, `features` features, `classes` classes
 * (labels one-hot unless `sparse`). Rows are interleaved by class (shuffled order).
 * @example
 * const data = blobs(96, 8, 3, 1);
 */
export function blobs(n: number, features: number, classes: number, seed: number, options: { sparse?: boolean; sorted?: boolean; spread?: number } = {}): ProbeData & { labels: number[] } {
  const labels = Array.from({ length: n }, (_v, i) => (options.sorted ? Math.floor((i * classes) / n) : i % classes));
  const x = tf.tidy(() => {
    const centres = normals([classes, features], seed, options.spread ?? 2.5);
    const noise = normals([n, features], seed + 1);
    return tf.add(tf.gather(centres, tf.tensor1d(labels, 'int32')), noise);
  });
  const y = options.sparse ? tf.tensor2d(labels, [n, 1]) : tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat();
  return { x, y, labels };
}

/**
 * A regression set: y = x·w + 0.1·noise.
 * @example
 * const data = regression(64, 4, 1);
 */
export function regression(n: number, features: number, seed: number, scale = 1): ProbeData {
  const x = normals([n, features], seed);
  const y = tf.tidy(() => tf.mul(tf.add(tf.matMul(x, normals([features, 1], seed + 1)), normals([n, 1], seed + 2, 0.1)), scale));
  return { x, y };
}

/** Options of {@link mlp}. */
export interface MlpOptions {
  readonly inputs: number;
  readonly hidden?: readonly number[];
  readonly outputs: number;
  readonly outputActivation?: 'softmax' | 'sigmoid' | 'linear';
  readonly hiddenActivation?: 'relu' | 'tanh' | 'sigmoid';
  readonly dropout?: number;
  readonly batchNorm?: boolean;
  readonly zeroInit?: boolean;
  readonly l2?: number;
  readonly seed?: number;
  readonly name?: string;
}

/**
 * A small dense network with seeded initialisers.
 * @example
 * const model = mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax' });
 */
export function mlp(o: MlpOptions): tf.Sequential {
  const seed = o.seed ?? 7;
  const init = (i: number): ReturnType<typeof tf.initializers.zeros> => (o.zeroInit ? tf.initializers.zeros() : tf.initializers.glorotUniform({ seed: seed + i }));
  const model = tf.sequential(o.name ? { name: o.name } : {});
  const hidden = o.hidden ?? [16];
  hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: o.hiddenActivation ?? 'relu',
        kernelInitializer: init(i),
        ...(i === 0 ? { inputShape: [o.inputs] } : {}),
        ...(o.l2 !== undefined ? { kernelRegularizer: tf.regularizers.l2({ l2: o.l2 }) } : {}),
        name: `hidden${i + 1}`,
      }),
    );
    if (o.batchNorm) model.add(tf.layers.batchNormalization({ name: `bn${i + 1}` }));
    if (o.dropout !== undefined) model.add(tf.layers.dropout({ rate: o.dropout, name: `dropout${i + 1}` }));
  });
  model.add(
    tf.layers.dense({
      units: o.outputs,
      activation: o.outputActivation ?? 'linear',
      kernelInitializer: init(99),
      ...(hidden.length === 0 ? { inputShape: [o.inputs] } : {}),
      name: 'output',
    }),
  );
  return model;
}

/** A training spec with defaults (Adam 1e-2, batch 16). */
export function spec(loss: string, extra: Partial<TrainingSpec> = {}): TrainingSpec {
  return { loss, optimizer: 'adam', learningRate: 0.01, batchSize: 16, ...extra };
}

/** Disposes a data set's tensors. */
export function disposeData(data: ProbeData): void {
  const all = [data.x, data.y, data.xVal, data.yVal, data.xTest, data.yTest].flatMap((t) => (t === undefined ? [] : Array.isArray(t) ? [...(t as tf.Tensor[])] : [t as tf.Tensor]));
  tf.dispose(all);
}

function dataTensors(data: ProbeData): tf.Tensor[] {
  return [data.x, data.y, data.xVal, data.yVal].flatMap((t) => (t === undefined ? [] : Array.isArray(t) ? [...(t as tf.Tensor[])] : [t as tf.Tensor]));
}

/** What {@link runProbe} observed. */
export interface ProbeRun {
  readonly findings: Finding[];
  /** Weights of the user's model identical before and after. */
  readonly modelUnchanged: boolean;
  /** Data tensors not disposed and with identical values. */
  readonly dataUnchanged: boolean;
  /** Tensors alive after minus before (0 when the probe disposes what it creates, after a warm-up). */
  readonly leaked: number;
  readonly ms: number;
}

/**
 * Runs `probe` on `model` and `data` and checks the probe contract.
 * @example
 * const r = await runProbe(m7FrozenParameters, model, data, spec('meanSquaredError'));
 * expect(r.modelUnchanged).toBe(true);
 */
export async function runProbe(probe: Probe, model: tf.LayersModel, data: ProbeData, training: TrainingSpec, options: { budgetMs?: number; seed?: number } = {}): Promise<ProbeRun> {
  await tf.setBackend('cpu');
  const weightsBefore = model.getWeights().map((w) => Array.from(w.dataSync()));
  const dataBefore = dataTensors(data).map((t) => Array.from(t.dataSync()));
  const trainableBefore = model.layers.map((l) => l.trainable);
  const tensorsBefore = tf.memory().numTensors;
  const t0 = performance.now();
  const findings = await probe.run({ model, data, training, budgetMs: options.budgetMs ?? probe.budgetMs, seed: options.seed ?? 42 });
  const ms = performance.now() - t0;
  const leaked = tf.memory().numTensors - tensorsBefore;
  const weightsAfter = model.getWeights().map((w) => Array.from(w.dataSync()));
  const modelUnchanged = JSON.stringify(weightsAfter) === JSON.stringify(weightsBefore) && JSON.stringify(model.layers.map((l) => l.trainable)) === JSON.stringify(trainableBefore);
  const tensors = dataTensors(data);
  const dataUnchanged = tensors.every((t) => !t.isDisposed) && JSON.stringify(tensors.map((t) => Array.from(t.dataSync()))) === JSON.stringify(dataBefore);
  return { findings, modelUnchanged, dataUnchanged, leaked, ms };
}

/** Findings at warning or error. */
export function firing(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity !== 'info');
}

/**
 * Saves `model` as `model.json` + one weight shard into `dir` (a file-system save handler, since
 * tfjs-node is not available); returns the model.json path.
 * @example
 * const path = await saveToDir(model, tmp);
 */
export async function saveToDir(model: tf.LayersModel, dir: string, trainingConfig?: object): Promise<string> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const weights = a.weightData instanceof ArrayBuffer ? new Uint8Array(a.weightData) : new Uint8Array(0);
      await writeFile(join(dir, 'group1-shard1of1.bin'), weights);
      const json = {
        modelTopology: a.modelTopology,
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        ...(trainingConfig ? { trainingConfig } : {}),
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
      };
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return join(dir, 'model.json');
}
