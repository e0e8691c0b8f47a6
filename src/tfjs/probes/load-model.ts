/**
 * Loads a saved TF.js layers model (`model.json` + weight shard files, as written by `model.save`
 * or `tensorflowjs_converter --output_format=tfjs_layers_model` for Keras models) from the file
 * system, without `tfjs-node`: an fs-based IOHandler hands the artefacts to `tf.loadLayersModel`.
 * Errors (one class, {@link ModelLoadError}, with a `code`) name the file and what was expected. The
 * training configuration (loss, optimizer, learning rate) is read from the file but not applied: the
 * model is returned uncompiled.
 *
 * The folder may be hostile: only regular files are read (never a device or FIFO), model.json up to
 * {@link MAX_MODEL_JSON_BYTES} and {@link MAX_JSON_DEPTH} levels of nesting, weight files only from
 * inside the model's folder (real paths: no absolute paths, no `..`, no symbolic link leading out)
 * and only when their size is the one the manifest declares; a layer graph TF.js would loop on is
 * refused before TF.js sees it, and building is bounded in time. Nothing is ever written.
 */
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { jsonErrorAt } from '../../formats/json/json-error.js';
import { rehearseBuild, rememberCustomLayerModule, warmUpBuildGuard } from './build-guard.js';
import { topologyProblem } from './model-topology.js';
import type { TrainingSpec } from './probe.js';
import { normaliseLoss } from './probe-kit.js';
import type { RegularFile } from './safe-read.js';
import { MAX_JSON_DEPTH, ReadFailureError, jsonDepthExceeded, openRegular, readExactly, readRegularFile } from './safe-read.js';

/** Largest model.json read (its topology and manifest; weights are in the shards). */
export const MAX_MODEL_JSON_BYTES = 64 * 2 ** 20;
/** Largest total of weight bytes read from the shards. */
export const MAX_WEIGHT_BYTES = 2 * 2 ** 30;
/** Default limit on building the model from its topology (see {@link loadModel}). */
export const MODEL_BUILD_TIMEOUT_MS = 30_000;

/**
 * What went wrong, for programs: `not-found`, `not-a-file` (a directory, device, FIFO...),
 * `unreadable`, `too-large`, `too-deep` (JSON nesting), `bad-json`, `wrong-format` (Keras file, graph
 * model, not a layers model.json), `bad-manifest`, `unsafe-path` (a weight path outside the model's
 * folder), `shard-size` (a weight file of another size than declared), `bad-topology` (a layer graph
 * TF.js cannot build: cycle, unknown layer...), `timeout`, `build-failed`, `custom-layers`.
 */
export type ModelLoadCode =
  | 'not-found'
  | 'not-a-file'
  | 'unreadable'
  | 'too-large'
  | 'too-deep'
  | 'bad-json'
  | 'wrong-format'
  | 'bad-manifest'
  | 'unsafe-path'
  | 'shard-size'
  | 'bad-topology'
  | 'timeout'
  | 'build-failed'
  | 'custom-layers';

/** A model file that cannot be used; `file` is the file at fault, `code` says why. */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
  constructor(
    message: string,
    readonly file: string,
    readonly code: ModelLoadCode,
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

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, complex64: 8, float16: 2 };

function fail(file: string, code: ModelLoadCode, message: string, cause?: unknown): never {
  throw new ModelLoadError(`${file}: ${message}`, file, code, cause === undefined ? undefined : { cause });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One weightsManifest group, checked: its files (inside the model's folder) and declared bytes. */
interface Group {
  readonly index: number;
  readonly files: string[];
  /** Bytes its weights take (shape x dtype size), or null when a dtype has no fixed size (string). */
  readonly expected: number | null;
  readonly weights: number;
}

/** Checks weightsManifest and resolves its paths inside `root` (the model's folder, real path). */
function readManifest(path: string, manifest: unknown[], dir: string): { groups: Group[]; specs: tf.io.WeightsManifestEntry[] } {
  const groups: Group[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  manifest.forEach((group: unknown, g) => {
    if (!isObject(group) || !Array.isArray(group['paths']) || !Array.isArray(group['weights'])) fail(path, 'bad-manifest', `weightsManifest[${g}] must have "paths" and "weights" arrays`);
    let expected: number | null = 0;
    for (const [k, w] of (group['weights'] as unknown[]).entries()) {
      if (!isObject(w) || typeof w['name'] !== 'string' || !Array.isArray(w['shape'])) fail(path, 'bad-manifest', `weightsManifest[${g}].weights has an entry without name/shape`);
      const shape = w['shape'] as unknown[];
      if (!shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
        fail(path, 'bad-manifest', `weightsManifest[${g}].weights[${k}] (${w['name']}) has shape ${JSON.stringify(shape).slice(0, 80)}; expected non-negative integers`);
      }
      const entry = w as unknown as tf.io.WeightsManifestEntry;
      const dtype = entry.quantization?.dtype ?? entry.dtype ?? 'float32';
      const bytesPer = DTYPE_BYTES[dtype];
      if (bytesPer === undefined || expected === null) expected = null;
      else expected += bytesPer * (shape as number[]).reduce((a, b) => a * b, 1);
      specs.push(entry);
    }
    const files = (group['paths'] as unknown[]).map((p, k) => {
      const where = `weightsManifest[${g}].paths[${k}]`;
      if (typeof p !== 'string' || p === '' || p.includes('\0')) fail(path, 'bad-manifest', `${where} is ${JSON.stringify(p)}; expected the name of a weight file next to model.json`);
      if (isAbsolute(p)) fail(path, 'unsafe-path', `${where} is the absolute path '${p}'; weight files are read only from the model's folder, by a path relative to model.json`);
      const norm = normalize(p);
      if (norm === '..' || norm.startsWith(`..${sep}`)) fail(path, 'unsafe-path', `${where} '${p}' leads out of the model's folder; weight files are read only from the folder of model.json`);
      return resolve(dir, p);
    });
    groups.push({ index: g, files, expected, weights: (group['weights'] as unknown[]).length });
  });
  return { groups, specs };
}

/**
 * Opens a weight file listed in the manifest: it must resolve (symbolic links included) to a regular
 * file inside `root`, the real path of the model's folder.
 */
async function openShard(path: string, shard: string, root: string): Promise<RegularFile> {
  const listed = `weight file listed in ${basename(path)}'s weightsManifest`;
  let real: string;
  try {
    real = await realpath(shard);
  } catch (err) {
    throw new ModelLoadError(`${shard}: ${listed} is missing or unreadable (expected it next to ${path})`, shard, 'not-found', { cause: err });
  }
  if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep)) {
    throw new ModelLoadError(`${shard}: ${listed} resolves to ${real}, outside the model's folder ${root} (through a symbolic link); weight files are read only from inside the folder of model.json`, shard, 'unsafe-path');
  }
  try {
    return await openRegular(real, { noFollow: true });
  } catch (err) {
    if (!(err instanceof ReadFailureError)) throw err;
    throw new ModelLoadError(`${shard}: ${listed} ${err.failure.code === 'not-found' ? 'is missing' : err.failure.message}; expected a regular file next to ${path}`, shard, err.failure.code === 'too-large' ? 'too-large' : err.failure.code, { cause: err });
  }
}

/**
 * Reads `model.json` and its weight shards into model artefacts (training config stripped). Only
 * regular files are read; weight files only from inside the model's folder (after resolving symbolic
 * links; no absolute paths, no `..`), and no more bytes than the manifest declares for them; JSON
 * nesting is limited to {@link MAX_JSON_DEPTH}; a layer graph TF.js cannot build is refused.
 * @example
 * const { artifacts, training } = await readModelArtifacts('out/model.json');
 */
export async function readModelArtifacts(path: string): Promise<{ artifacts: tf.io.ModelArtifacts; training: TrainingHint; shards: string[] }> {
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(path, MAX_MODEL_JSON_BYTES, 'a model.json');
  } catch (err) {
    if (!(err instanceof ReadFailureError)) throw err;
    const f = err.failure;
    fail(
      path,
      f.code,
      f.code === 'not-found' ? 'no such file (expected a TF.js layers model.json)' : f.message.startsWith('is a directory') ? 'is a directory (expected the model.json file inside it)' : `${f.message} (expected a TF.js layers model.json)`,
      err,
    );
  }
  if (bytes.subarray(0, 4).toString('latin1') === '\x89HDF' || /\.(h5|hdf5|keras)$/i.test(path)) {
    fail(path, 'wrong-format', 'is a Keras file, not a TF.js model.json; convert it first: tensorflowjs_converter --input_format keras --output_format tfjs_layers_model model.h5 out/');
  }
  const deep = jsonDepthExceeded(bytes, MAX_JSON_DEPTH);
  if (deep) {
    fail(path, 'too-deep', `nests arrays/objects more than ${MAX_JSON_DEPTH} deep at byte ${deep.offset} (line ${deep.line}, column ${deep.column}); a TF.js model.json is far shallower`);
  }
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const at = jsonErrorAt(text, err);
    fail(path, 'bad-json', `is not valid JSON${at ? ` (line ${at.line}, column ${at.column})` : ''}: ${(err as Error).message}; expected a TF.js layers model.json`, err);
  }
  if (!isObject(json)) fail(path, 'wrong-format', 'expected a JSON object with modelTopology and weightsManifest');
  if (json['format'] === 'graph-model' || (isObject(json['modelTopology']) && Array.isArray((json['modelTopology'] as Record<string, unknown>)['node']))) {
    fail(path, 'wrong-format', 'is a TF.js graph model (a converted SavedModel or frozen graph); preflight needs a layers model: convert the Keras model with --output_format=tfjs_layers_model');
  }
  let topology = json['modelTopology'];
  if (!isObject(topology)) fail(path, 'wrong-format', `has no modelTopology object (keys: ${Object.keys(json).join(', ') || 'none'}); expected a TF.js layers model.json as written by model.save() or tensorflowjs_converter`);
  let trainingConfig: unknown = json['trainingConfig'];
  if (isObject(topology['training_config'])) {
    trainingConfig ??= topology['training_config'];
    const { training_config: _dropped, ...rest } = topology;
    topology = rest;
  }
  const inner = isObject((topology as Record<string, unknown>)['model_config']) ? ((topology as Record<string, unknown>)['model_config'] as Record<string, unknown>) : (topology as Record<string, unknown>);
  if (typeof inner['class_name'] !== 'string' || !isObject(inner['config'])) {
    fail(path, 'wrong-format', 'modelTopology has no class_name/config (expected a Keras model config such as {"class_name": "Sequential", "config": {...}})');
  }
  const problem = topologyProblem(inner);
  if (problem) fail(path, 'bad-topology', `layer graph refused (TF.js would never finish building it): ${problem.message}`);
  const manifest = json['weightsManifest'];
  if (!Array.isArray(manifest)) fail(path, 'bad-manifest', 'has no weightsManifest array (expected [{ "paths": ["group1-shard1of1.bin"], "weights": [...] }])');
  const dir = dirname(path);
  let root: string;
  try {
    root = await realpath(dir);
  } catch (err) {
    fail(path, 'unreadable', `its folder cannot be resolved: ${(err as Error).message}`, err);
  }
  const { groups, specs } = readManifest(path, manifest, dir);
  const declared = groups.reduce((s, g) => s + (g.expected ?? 0), 0);
  if (declared > MAX_WEIGHT_BYTES) fail(path, 'too-large', `weightsManifest declares ${declared} bytes of weights; the limit is ${MAX_WEIGHT_BYTES} bytes`);
  const shards = groups.flatMap((g) => g.files);
  const buffers: Buffer[] = [];
  let total = 0;
  for (const group of groups) {
    const opened: RegularFile[] = [];
    try {
      for (const file of group.files) opened.push(await openShard(path, file, root));
      const sizes = opened.map((o) => o.size);
      const actual = sizes.reduce((a, b) => a + b, 0);
      if (group.files.length === 0 && (group.expected ?? 0) > 0) fail(path, 'bad-manifest', `weightsManifest[${group.index}] lists no weight files for ${group.expected} bytes of weights`);
      if (group.expected !== null && actual !== group.expected) {
        // name the first shard that cannot hold its part: the one where the running total passes the declared bytes, else the last
        let before = 0;
        let k = 0;
        while (k < sizes.length - 1 && before + sizes[k]! <= group.expected) before += sizes[k++]!;
        const file = group.files[k]!;
        const room = group.expected - before;
        throw new ModelLoadError(
          `${file}: the weight files hold ${actual} bytes but ${basename(path)} describes ${group.expected} bytes for ${group.weights} weights (weightsManifest[${group.index}]; this file is ${sizes[k]} bytes, expected ${k === sizes.length - 1 ? '' : 'at most '}${room}); the shards do not belong to this model.json or are truncated`,
          file,
          'shard-size',
        );
      }
      total += actual;
      if (total > MAX_WEIGHT_BYTES) fail(group.files[0] ?? path, 'too-large', `the weight files hold more than ${MAX_WEIGHT_BYTES} bytes, the limit`);
      for (const [k, o] of opened.entries()) {
        try {
          buffers.push(await readExactly(o.handle, o.size));
        } catch (err) {
          if (!(err instanceof ReadFailureError)) throw err;
          fail(group.files[k]!, 'unreadable', err.failure.message, err);
        }
      }
    } finally {
      await Promise.all(opened.map((o) => o.handle.close()));
    }
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
  if (!existsSync(modulePath)) throw new ModelLoadError(`${modulePath}: no such file (expected an ES module that registers the model's custom layer classes)`, modulePath, 'custom-layers');
  const url = pathToFileURL(resolve(modulePath)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    throw new ModelLoadError(`${modulePath}: the custom-layer module failed to load: ${(err as Error).message.split('\n')[0]}`, modulePath, 'custom-layers', { cause: err });
  }
  const register = typeof mod['default'] === 'function' ? mod['default'] : mod['register'];
  if (typeof register === 'function') {
    try {
      await (register as (t: typeof tf) => unknown)(tf);
    } catch (err) {
      throw new ModelLoadError(`${modulePath}: its register function threw: ${(err as Error).message}`, modulePath, 'custom-layers', { cause: err });
    }
  }
  const added = Object.keys(registry).filter((name) => !before.has(name));
  if (added.length === 0) {
    throw new ModelLoadError(
      `${modulePath}: registered no layer class with this TF.js; expected a default export (tf) => { ...; tf.serialization.registerClass(MyLayer); } (a module that imports its own @tensorflow/tfjs registers into that copy)`,
      modulePath,
      'custom-layers',
    );
  }
  rememberCustomLayerModule(url);
  return added;
}

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** Limit on building the model from its topology, in ms (default {@link MODEL_BUILD_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
}

/**
 * Loads a layers model from `model.json` (uncompiled) with its saved training hints. Reading is
 * bounded and confined as in {@link readModelArtifacts}; building is bounded in time: the topology is
 * first built in a worker thread (`build-guard.ts`) that is stopped after `timeoutMs`, then for real.
 * @example
 * const { model, training } = await loadModel('out/model.json');
 */
export async function loadModel(path: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const timeoutMs = options.timeoutMs ?? MODEL_BUILD_TIMEOUT_MS;
  warmUpBuildGuard();
  const { artifacts, training, shards } = await readModelArtifacts(path);
  const limit = `within ${timeoutMs / 1000} s (preflight's limit on building a model from model.json)`;
  const rehearsal = await rehearseBuild(artifacts.modelTopology as object, timeoutMs);
  if (rehearsal.outcome === 'timeout') {
    throw new ModelLoadError(`${path}: TF.js did not finish building the model ${limit}; the layer graph may never resolve, or the model is too large for preflight`, path, 'timeout');
  }
  if (rehearsal.outcome === 'crashed') {
    throw new ModelLoadError(`${path}: TF.js crashed building the model (rehearsed in a worker thread): ${rehearsal.error ?? 'unknown error'}`, path, 'build-failed');
  }
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const building = tf.loadLayersModel(tf.io.fromMemory(artifacts));
  try {
    const model = await Promise.race([
      building,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new ModelLoadError(`${path}: TF.js did not finish building the model ${limit}`, path, 'timeout'));
        }, timeoutMs);
      }),
    ]);
    return { model, path, training, shards };
  } catch (err) {
    if (err instanceof ModelLoadError) {
      if (timedOut) building.then((m) => m.dispose(), () => undefined);
      throw err;
    }
    const msg = (err as Error).message.split('\n')[0] ?? String(err);
    const hint = /Unknown layer/i.test(msg) ? ' (a custom layer: register its class first, with --custom-layers <module.mjs> on the command line or tf.serialization.registerClass in code)' : '';
    throw new ModelLoadError(`${path}: TF.js could not build the model: ${msg}${hint}`, path, 'build-failed', { cause: err });
  } finally {
    clearTimeout(timer);
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
