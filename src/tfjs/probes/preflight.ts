/**
 * The pre-flight runner: runs the probe registry on a TF.js model and its data, within a total time
 * budget split over the probes, and returns the findings in the same shape as a log diagnosis
 * (`{ version: 1, runs, problems }`), so the text/JSON/Markdown reports and exit codes are shared.
 *
 * Guarantee: probes never modify the user's model or data. They work on clones; on top of that the
 * runner snapshots the model's weights and trainable flags before each probe and checks them after
 * it: a probe that changed them has them restored and is reported as a `probe-modified-model`
 * problem; a probe that disposed a data tensor is reported as `probe-disposed-data`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { CurveRoles, RunReport } from '../../diagnose/diagnose.js';
import type { Finding } from '../../findings/finding.js';
import { sortFindings } from '../../findings/finding.js';
import type { Problem } from '../../formats/reader.js';
import { probes as registry } from './index.js';
import type { ArtefactSink, Probe, ProbeData, TrainingSpec } from './probe.js';
import { asArray, round } from './probe-kit.js';

/** Progress of a preflight, for progress bars. */
export interface PreflightProgress {
  readonly probesDone: number;
  readonly probesTotal: number;
  /** Id of the probe running (empty when done). */
  readonly probe: string;
  /** Progress within that probe, 0..1. */
  readonly fraction: number;
}

/** Options of {@link preflight}. */
export interface PreflightOptions {
  /** Run only these probe ids (e.g. `['M7', 'P1']`). */
  readonly only?: readonly string[];
  /** Skip these probe ids. */
  readonly skip?: readonly string[];
  /** Total time budget in milliseconds, split over the probes (default 60 000). */
  readonly budgetMs?: number;
  /** How the model is trained; missing fields are inferred (see {@link resolveTraining}). */
  readonly training?: Partial<TrainingSpec>;
  /** Seed for every random choice (default 42). */
  readonly seed?: number;
  /** A directory (created if needed) or a sink for artefacts such as D7's batch image. */
  readonly artefacts?: string | ArtefactSink;
  readonly onProgress?: (progress: PreflightProgress) => void;
  /** The probes to choose from (default: the whole registry). */
  readonly probes?: readonly Probe[];
  /** Name of the run in the report (default: the model's name). */
  readonly name?: string;
  /** Files the run came from (model.json, data files), listed in the report. */
  readonly files?: readonly string[];
  /** Extra notes for the report (e.g. where the training settings came from). */
  readonly notes?: readonly string[];
  readonly signal?: AbortSignal;
}

/** The `runs[]` entry of a preflight report: a RunReport plus what the probes ran with. */
export interface PreflightRunReport extends RunReport {
  readonly format: 'preflight';
  readonly training: TrainingSpec;
  readonly seed: number;
  readonly budgetMs: number;
  /** Milliseconds each probe took, by id. */
  readonly probeMs: Readonly<Record<string, number>>;
}

/** The whole preflight result: the same shape as a `Diagnosis`. */
export interface PreflightResult {
  readonly version: 1;
  readonly runs: PreflightRunReport[];
  readonly problems: Problem[];
}

const NO_CURVES: CurveRoles = { trainLoss: null, valLoss: null, trainMetric: null, valMetric: null, lr: null, gradNorm: null, epoch: null };

/**
 * Selects probes by id: `only` keeps the listed ones, `skip` drops the listed ones; unknown ids are returned.
 * @example
 * selectProbes(probes, { skip: ['P5'] })
 */
export function selectProbes(all: readonly Probe[], { only, skip }: { only?: readonly string[]; skip?: readonly string[] }): { probes: Probe[]; unknown: string[] } {
  const ids = new Set(all.map((p) => p.id.toUpperCase()));
  const norm = (xs: readonly string[] | undefined): string[] => (xs ?? []).map((x) => x.trim().toUpperCase()).filter((x) => x.length > 0);
  const o = norm(only);
  const s = norm(skip);
  return { probes: all.filter((p) => (o.length === 0 || o.includes(p.id.toUpperCase())) && !s.includes(p.id.toUpperCase())), unknown: [...o, ...s].filter((id) => !ids.has(id)) };
}

/**
 * Fills in a training spec: given fields win; the loss is inferred from the output activation and
 * the labels (softmax -> categorical or sparse cross-entropy, sigmoid -> binary cross-entropy,
 * otherwise mean squared error); Adam at 1e-3 and batch 32 otherwise. Returns notes saying what was inferred.
 * @example
 * const { spec, notes } = resolveTraining(model, data, { learningRate: 0.01 });
 */
export function resolveTraining(model: tf.LayersModel, data: ProbeData, partial: Partial<TrainingSpec> = {}): { spec: TrainingSpec; notes: string[] } {
  const notes: string[] = [];
  let loss = partial.loss;
  if (!loss) {
    const out = model.outputs[0];
    const layer = out?.sourceLayer as tf.layers.Layer | undefined;
    const activation = String(layer?.getConfig()['activation'] ?? 'linear');
    const units = out?.shape[out.shape.length - 1] ?? 1;
    const y = asArray(data.y)[0];
    const yCols = y && y.rank > 1 ? (y.shape[y.rank - 1] ?? 1) : 1;
    loss = activation === 'softmax' ? (yCols === 1 && units > 1 ? 'sparseCategoricalCrossentropy' : 'categoricalCrossentropy') : activation === 'sigmoid' ? 'binaryCrossentropy' : 'meanSquaredError';
    notes.push(`loss not given: inferred ${loss} from the ${activation} output${activation === 'linear' ? ' (pass --loss with fromLogits if the output is logits)' : ''}`);
  }
  const optimizer = partial.optimizer ?? 'adam';
  const learningRate = partial.learningRate ?? 1e-3;
  const batchSize = Math.max(1, Math.floor(partial.batchSize ?? 32));
  const defaults = [partial.optimizer ? '' : `optimizer ${optimizer}`, partial.learningRate === undefined ? `learning rate ${learningRate}` : '', partial.batchSize === undefined ? `batch size ${batchSize}` : ''].filter((s) => s);
  if (defaults.length > 0) notes.push(`defaults used: ${defaults.join(', ')} (not given)`);
  const spec: TrainingSpec = {
    loss,
    optimizer,
    learningRate,
    batchSize,
    ...(partial.fromLogits !== undefined ? { fromLogits: partial.fromLogits } : {}),
    ...(partial.metrics ? { metrics: partial.metrics } : {}),
  };
  return { spec, notes };
}

/**
 * An artefact sink writing files into `dir` (created on first write).
 * @example
 * const sink = directorySink('preflight-artefacts');
 */
export function directorySink(dir: string): ArtefactSink {
  let made = false;
  return {
    async write(name, data) {
      if (!made) {
        await mkdir(dir, { recursive: true });
        made = true;
      }
      const path = join(dir, name.replace(/[\\/]/g, '_'));
      await writeFile(path, data);
      return path;
    },
  };
}

function dataTensors(data: ProbeData): tf.Tensor[] {
  return [data.x, data.y, data.xVal, data.yVal, data.xTest, data.yTest].flatMap((t) => (t === undefined ? [] : asArray(t)));
}

/**
 * Runs the pre-flight probes on `model` and `data`. Never modifies either (see the module note). A
 * probe that throws becomes a `probe-failed` problem; one that overruns its share of the budget by
 * far is abandoned as `probe-timeout`.
 * @example
 * const result = await preflight(model, { x, y }, { budgetMs: 30_000, training: { loss: 'categoricalCrossentropy' } });
 * process.stdout.write(renderText(result));
 */
export async function preflight(model: tf.LayersModel, data: ProbeData, options: PreflightOptions = {}): Promise<PreflightResult> {
  const { probes: selected, unknown } = selectProbes(options.probes ?? registry, { ...(options.only ? { only: options.only } : {}), ...(options.skip ? { skip: options.skip } : {}) });
  if (unknown.length > 0) throw new Error(`unknown probe id(s) ${unknown.join(', ')}; expected ids among ${(options.probes ?? registry).map((p) => p.id).join(', ')}`);
  const budgetMs = options.budgetMs ?? 60_000;
  const seed = options.seed ?? 42;
  const { spec, notes } = resolveTraining(model, data, options.training ?? {});
  const artefacts = typeof options.artefacts === 'string' ? directorySink(options.artefacts) : options.artefacts;
  const runName = options.name ?? model.name;
  const problems: Problem[] = [];
  const findings: Finding[] = [];
  const probeMs: Record<string, number> = {};
  const snapshot = model.getWeights().map((w) => w.dataSync().slice());
  const trainable = model.layers.map((l) => l.trainable);
  const modelTrainable = model.trainable;
  const tensors = dataTensors(data);
  const started = performance.now();
  let weightLeft = selected.reduce((s, p) => s + p.budgetMs, 0);

  for (const [i, probe] of selected.entries()) {
    if (options.signal?.aborted) break;
    const left = Math.max(0, budgetMs - (performance.now() - started));
    const share = Math.max(100, (left * probe.budgetMs) / Math.max(1, weightLeft));
    weightLeft -= probe.budgetMs;
    options.onProgress?.({ probesDone: i, probesTotal: selected.length, probe: probe.id, fraction: 0 });
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    options.signal?.addEventListener('abort', onAbort);
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const limit = share * 2 + 2000;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => {
          controller.abort();
          resolve('timeout');
        }, limit);
      });
      const outcome = await Promise.race([
        probe.run({
          model,
          data,
          training: spec,
          budgetMs: share,
          seed,
          signal: controller.signal,
          progress: (fraction) => options.onProgress?.({ probesDone: i, probesTotal: selected.length, probe: probe.id, fraction: Math.max(0, Math.min(1, fraction)) }),
          ...(artefacts ? { artefacts } : {}),
        }),
        timeout,
      ]);
      if (outcome === 'timeout') {
        problems.push({ file: runName, code: 'probe-timeout', message: `${probe.id} did not finish within ${Math.round(limit)} ms (its share of the budget was ${Math.round(share)} ms) and was abandoned` });
      } else {
        findings.push(...outcome);
      }
    } catch (cause) {
      problems.push({ file: runName, code: 'probe-failed', message: `${probe.id} failed: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}` });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
    probeMs[probe.id] = round(performance.now() - t0, 4);
    // the guarantee, checked: trainable flags first (they decide the order of getWeights)
    const flagsChanged = model.trainable !== modelTrainable || model.layers.some((l, k) => l.trainable !== trainable[k]);
    if (flagsChanged) {
      model.trainable = modelTrainable;
      model.layers.forEach((l, k) => {
        l.trainable = trainable[k] ?? l.trainable;
      });
    }
    const now = model.getWeights();
    const changed = now.some((w, k) => {
      const before = snapshot[k];
      if (!before || before.length !== w.size) return true;
      const after = w.dataSync();
      for (let j = 0; j < after.length; j++) if (!Object.is(after[j], before[j])) return true;
      return false;
    });
    if (changed) {
      const restore = now.map((w, k) => tf.tensor(snapshot[k]!, w.shape, w.dtype));
      model.setWeights(restore);
      tf.dispose(restore);
    }
    if (changed || flagsChanged) {
      problems.push({ file: runName, code: 'probe-modified-model', message: `${probe.id} changed the model's ${[changed ? 'weights' : '', flagsChanged ? 'trainable flags' : ''].filter((s) => s).join(' and ')}; they were restored (please report this bug)` });
    }
    if (tensors.some((t) => t.isDisposed)) {
      problems.push({ file: runName, code: 'probe-disposed-data', message: `${probe.id} disposed a data tensor it was given; the remaining probes cannot use the data (please report this bug)` });
      break;
    }
  }
  options.onProgress?.({ probesDone: selected.length, probesTotal: selected.length, probe: '', fraction: 1 });
  const run: PreflightRunReport = {
    run: runName,
    files: [...(options.files ?? [])],
    format: 'preflight',
    lastStep: null,
    unit: 'step',
    curves: NO_CURVES,
    notes: [
      ...(options.notes ?? []),
      ...notes,
      `${selected.length} probe(s) in ${round((performance.now() - started) / 1000, 3)} s (budget ${round(budgetMs / 1000, 3)} s); training ${spec.loss}${spec.fromLogits ? ' (from logits)' : ''}, ${spec.optimizer} lr ${spec.learningRate}, batch ${spec.batchSize}`,
    ],
    findings: sortFindings(findings),
    training: spec,
    seed,
    budgetMs,
    probeMs,
  };
  return { version: 1, runs: [run], problems };
}

/**
 * Prepares TF.js for probing in Node: the CPU backend, and no console banner.
 * @example
 * await prepareBackend();
 */
export async function prepareBackend(): Promise<void> {
  tf.env().set('PROD', true);
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  await tf.ready();
}
