/**
 * Loads a saved TF.js layers model (`model.json` + weight shard files, as written by `model.save`
 * or `tensorflowjs_converter --output_format=tfjs_layers_model` for Keras models) from the file
 * system, without `tfjs-node`: an fs-based IOHandler hands the artefacts to `tf.loadLayersModel`.
 * Errors name the file and what was expected. The training configuration (loss, optimizer, learning
 * rate) is read from the file but not applied: the model is returned uncompiled.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { jsonErrorAt } from '../../formats/json/json-error.js';
import type { TrainingSpec } from './probe.js';
import { normaliseLoss } from './probe-kit.js';

/** A model file that cannot be used; `file` is the file at fault. */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
  constructor(
    message: string,
    readonly file: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** What the saved training configuration says (every field optional). */
export interface TrainingHint {
  readonly loss?: string;
  readonly fromLogits?: boolean;
  readonly optimizer?: TrainingSpec['optimizer'];
  readonly learningRate?: number;
  readonly metrics?: readonly string[];
}

/** A loaded model with what its file said about training. */
export interface LoadedModel {
  readonly model: tf.LayersModel;
  readonly path: string;
  /** From `trainingConfig` / `training_config`, or `{}`. */
  readonly training: TrainingHint;
  /** The weight shard files read. */
  readonly shards: readonly string[];
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, complex64: 8, float16: 2 };

interface ManifestGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

function fail(file: string, message: string): never {
  throw new ModelLoadError(`${file}: ${message}`, file);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads `model.json` and its weight shards into model artefacts (training config stripped).
 * @example
 * const { artifacts, training } = await readModelArtifacts('out/model.json');
 */
export async function readModelArtifacts(path: string): Promise<{ artifacts: tf.io.ModelArtifacts; training: TrainingHint; shards: string[] }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fail(path, code === 'ENOENT' ? 'no such file (expected a TF.js layers model.json)' : code === 'EISDIR' ? 'is a directory (expected the model.json file inside it)' : `cannot be read: ${(err as Error).message}`);
  }
  if (bytes.subarray(0, 4).toString('latin1') === '\x89HDF' || /\.(h5|hdf5|keras)$/i.test(path)) {
    fail(path, 'is a Keras file, not a TF.js model.json; convert it first: tensorflowjs_converter --input_format keras --output_format tfjs_layers_model model.h5 out/');
  }
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const at = jsonErrorAt(text, err);
    fail(path, `is not valid JSON${at ? ` (line ${at.line}, column ${at.column})` : ''}: ${(err as Error).message}; expected a TF.js layers model.json`);
  }
  if (!isObject(json)) fail(path, 'expected a JSON object with modelTopology and weightsManifest');
  if (json['format'] === 'graph-model' || (isObject(json['modelTopology']) && Array.isArray((json['modelTopology'] as Record<string, unknown>)['node']))) {
    fail(path, 'is a TF.js graph model (a converted SavedModel or frozen graph); preflight needs a layers model: convert the Keras model with --output_format=tfjs_layers_model');
  }
  let topology = json['modelTopology'];
  if (!isObject(topology)) fail(path, `has no modelTopology object (keys: ${Object.keys(json).join(', ') || 'none'}); expected a TF.js layers model.json as written by model.save() or tensorflowjs_converter`);
  let trainingConfig: unknown = json['trainingConfig'];
  if (isObject(topology['training_config'])) {
    trainingConfig ??= topology['training_config'];
    const { training_config: _dropped, ...rest } = topology;
    topology = rest;
  }
  const inner = isObject((topology as Record<string, unknown>)['model_config']) ? ((topology as Record<string, unknown>)['model_config'] as Record<string, unknown>) : (topology as Record<string, unknown>);
  if (typeof inner['class_name'] !== 'string' || !isObject(inner['config'])) {
    fail(path, 'modelTopology has no class_name/config (expected a Keras model config such as {"class_name": "Sequential", "config": {...}})');
  }
  const manifest = json['weightsManifest'];
  if (!Array.isArray(manifest)) fail(path, 'has no weightsManifest array (expected [{ "paths": ["group1-shard1of1.bin"], "weights": [...] }])');
  const dir = dirname(path);
  const buffers: Buffer[] = [];
  const shards: string[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  manifest.forEach((group: unknown, g) => {
    if (!isObject(group) || !Array.isArray(group['paths']) || !Array.isArray(group['weights'])) fail(path, `weightsManifest[${g}] must have "paths" and "weights" arrays`);
    const gr = group as unknown as ManifestGroup;
    for (const w of gr.weights) {
      if (!isObject(w) || typeof w['name'] !== 'string' || !Array.isArray(w['shape'])) fail(path, `weightsManifest[${g}].weights has an entry without name/shape`);
      specs.push(w);
    }
    for (const p of gr.paths) shards.push(resolve(dir, String(p)));
  });
  for (const shard of shards) {
    try {
      buffers.push(await readFile(shard));
    } catch {
      throw new ModelLoadError(`${shard}: weight file listed in ${basename(path)}'s weightsManifest is missing or unreadable (expected it next to ${path})`, shard);
    }
  }
  const total = buffers.reduce((s, b) => s + b.length, 0);
  let expected = 0;
  let exact = true;
  for (const w of specs) {
    const dtype = w.quantization?.dtype ?? w.dtype ?? 'float32';
    const bytesPer = DTYPE_BYTES[dtype];
    if (bytesPer === undefined) exact = false;
    else expected += bytesPer * w.shape.reduce((a, b) => a * b, 1);
  }
  if (exact && total !== expected) {
    fail(shards[0] ?? path, `the weight files hold ${total} bytes but ${basename(path)} describes ${expected} bytes for ${specs.length} weights: the shards do not belong to this model.json or are truncated`);
  }
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    weightData.set(b, offset);
    offset += b.length;
  }
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: topology as object,
    weightSpecs: specs,
    weightData: weightData.buffer,
    ...(typeof json['format'] === 'string' ? { format: json['format'] } : {}),
    ...(typeof json['generatedBy'] === 'string' ? { generatedBy: json['generatedBy'] } : {}),
    ...(typeof json['convertedBy'] === 'string' || json['convertedBy'] === null ? { convertedBy: json['convertedBy'] as string | null } : {}),
  };
  return { artifacts, training: trainingHint(trainingConfig), shards };
}

/**
 * An IOHandler reading `model.json` and its shards from disk, for `tf.loadLayersModel`.
 * @example
 * const model = await tf.loadLayersModel(fileHandler('out/model.json'));
 */
export function fileHandler(path: string): tf.io.IOHandler {
  return { load: async () => (await readModelArtifacts(path)).artifacts };
}

/**
 * Imports the ES module at `modulePath` that registers a model's custom layer classes, before
 * {@link loadModel}. When the module exports a function (default export, or `register`), it is called
 * with this process's TF.js namespace, so the classes land in the registry the model is loaded with
 * (a module importing its own copy of `@tensorflow/tfjs` would register them elsewhere); otherwise the
 * import itself must register them. Returns the class names it registered; a module that registers
 * none, cannot be found, or throws is a {@link ModelLoadError} naming it.
 * @example
 * // layers.mjs: export default (tf) => { class Scale extends tf.layers.Layer { static className = 'Scale'; ... } tf.serialization.registerClass(Scale); };
 * await registerCustomLayers('layers.mjs'); // ['Scale']
 */
export async function registerCustomLayers(modulePath: string): Promise<string[]> {
  const registry = tf.serialization.SerializationMap.getMap().classNameMap;
  const before = new Set(Object.keys(registry));
  if (!existsSync(modulePath)) throw new ModelLoadError(`${modulePath}: no such file (expected an ES module that registers the model's custom layer classes)`, modulePath);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(modulePath)).href)) as Record<string, unknown>;
  } catch (err) {
    throw new ModelLoadError(`${modulePath}: the custom-layer module failed to load: ${(err as Error).message.split('\n')[0]}`, modulePath, { cause: err });
  }
  const register = typeof mod['default'] === 'function' ? mod['default'] : mod['register'];
  if (typeof register === 'function') {
    try {
      await (register as (t: typeof tf) => unknown)(tf);
    } catch (err) {
      throw new ModelLoadError(`${modulePath}: its register function threw: ${(err as Error).message}`, modulePath, { cause: err });
    }
  }
  const added = Object.keys(registry).filter((name) => !before.has(name));
  if (added.length === 0) {
    throw new ModelLoadError(
      `${modulePath}: registered no layer class with this TF.js; expected a default export (tf) => { ...; tf.serialization.registerClass(MyLayer); } (a module that imports its own @tensorflow/tfjs registers into that copy)`,
      modulePath,
    );
  }
  return added;
}

/**
 * Loads a layers model from `model.json` (uncompiled) with its saved training hints.
 * @example
 * const { model, training } = await loadModel('out/model.json');
 */
export async function loadModel(path: string): Promise<LoadedModel> {
  const { artifacts, training, shards } = await readModelArtifacts(path);
  try {
    const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    return { model, path, training, shards };
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0] ?? String(err);
    const hint = /Unknown layer/i.test(msg) ? ' (a custom layer: register its class first, with --custom-layers <module.mjs> on the command line or tf.serialization.registerClass in code)' : '';
    throw new ModelLoadError(`${path}: TF.js could not build the model: ${msg}${hint}`, path);
  }
}

const OPTIMIZERS: Record<string, TrainingSpec['optimizer']> = { adam: 'adam', adamw: 'adam', sgd: 'sgd', rmsprop: 'rmsprop', adagrad: 'adagrad', adadelta: 'adadelta', adamax: 'adamax', nadam: 'adam' };

function lossName(entry: unknown): { name?: string; fromLogits?: boolean } {
  if (typeof entry === 'string') return { name: normaliseLoss(entry) };
  if (isObject(entry)) {
    const cls = entry['class_name'] ?? entry['className'];
    const config = isObject(entry['config']) ? entry['config'] : {};
    const fromLogits = config['from_logits'] ?? config['fromLogits'];
    return { ...(typeof cls === 'string' ? { name: normaliseLoss(cls.charAt(0).toLowerCase() + cls.slice(1)) } : {}), ...(typeof fromLogits === 'boolean' ? { fromLogits } : {}) };
  }
  return {};
}

/**
 * Reads a Keras / TF.js training config (`loss`, `optimizer_config`, `metrics`) into hints.
 * @example
 * trainingHint({ loss: 'categorical_crossentropy', optimizer_config: { class_name: 'Adam', config: { learning_rate: 0.001 } } })
 * // { loss: 'categoricalCrossentropy', optimizer: 'adam', learningRate: 0.001 }
 */
export function trainingHint(config: unknown): TrainingHint {
  if (!isObject(config)) return {};
  const out: { -readonly [K in keyof TrainingHint]: TrainingHint[K] } = {};
  const loss = config['loss'];
  const entries = Array.isArray(loss) ? loss : isObject(loss) && !('class_name' in loss) && !('className' in loss) ? Object.values(loss) : [loss];
  const parsed = entries.map(lossName).filter((l) => l.name !== undefined);
  if (parsed.length > 0) out.loss = parsed.map((l) => l.name).join(',');
  const logits = parsed.find((l) => l.fromLogits !== undefined)?.fromLogits;
  if (logits !== undefined) out.fromLogits = logits;
  const opt = config['optimizer_config'] ?? config['optimizerConfig'];
  if (isObject(opt)) {
    const cls = String(opt['class_name'] ?? opt['className'] ?? '').toLowerCase().replace(/optimizer$/, '');
    const o = OPTIMIZERS[cls];
    if (o) out.optimizer = o;
    const c = isObject(opt['config']) ? opt['config'] : {};
    const lr = c['learning_rate'] ?? c['learningRate'] ?? c['lr'];
    if (typeof lr === 'number' && lr > 0) out.learningRate = lr;
    else if (isObject(lr) && isObject(lr['config'])) {
      const initial = (lr['config'] as Record<string, unknown>)['initial_learning_rate'];
      if (typeof initial === 'number' && initial > 0) out.learningRate = initial;
    }
  }
  const metrics = config['metrics'];
  if (Array.isArray(metrics)) out.metrics = metrics.filter((m): m is string => typeof m === 'string');
  return out;
}
