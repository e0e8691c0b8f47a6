/**
 * Where things are in an MLflow file store (`mlruns/`): a run is a folder
 * `mlruns/<experiment id>/<run id>/` holding `meta.yaml` (run id, name, times), `metrics/<key>`
 * (one `<timestamp> <value> <step>` line per point; a key with `/` is a nested folder),
 * `params/<key>` (one value per file) and `tags/<key>`. The experiment folder has a `meta.yaml`
 * too, without a run id: it is not a run.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, relative, sep } from 'node:path';

/** A metric line: integer timestamp, a value (`nan`/`inf` as Python writes them), an optional integer step. */
const METRIC_LINE = /^-?\d+ [^\s]+( -?\d+)?\r?$/;
/** Run `meta.yaml` keys that an experiment's `meta.yaml` does not have. */
const RUN_META_KEY = /^(run_id|run_uuid):/m;

/**
 * Whether a file is a run's `meta.yaml` (not an experiment's), from its name and first bytes.
 * @example
 * isRunMeta('mlruns/1/0add84/meta.yaml', bytes('run_id: 0add84\n')) // true
 * isRunMeta('mlruns/1/meta.yaml', bytes('experiment_id: "1"\n'))   // false
 */
export function isRunMeta(path: string, head: Uint8Array): boolean {
  return basename(path) === 'meta.yaml' && RUN_META_KEY.test(new TextDecoder().decode(head));
}

/**
 * Whether a file looks like an MLflow metric file: below a `metrics` folder, first line
 * `<timestamp> <value> <step>`.
 * @example
 * isMetricFile('mlruns/1/0add84/metrics/val_loss', bytes('1645787668014 0.13 0\n')) // true
 */
export function isMetricFile(path: string, head: Uint8Array): boolean {
  if (!dirname(path).split(sep).includes('metrics')) return false;
  const text = new TextDecoder().decode(head.subarray(0, 256));
  const nl = text.indexOf('\n');
  return nl > 0 && METRIC_LINE.test(text.slice(0, nl));
}

/**
 * The run folder a file of a run belongs to: the folder holding the `metrics`, `params` or `tags`
 * folder above it, preferring one of `runDirs` (folders known to hold a run `meta.yaml`), else
 * the nearest; `null` when the file is in none of those folders.
 * @example
 * runDirOf('mlruns/1/0add84/metrics/train/loss', new Set(['mlruns/1/0add84'])) // 'mlruns/1/0add84'
 */
export function runDirOf(path: string, runDirs: ReadonlySet<string>, parts: readonly string[] = ['metrics']): string | null {
  let nearest: string | null = null;
  for (let d = dirname(path); d !== dirname(d); d = dirname(d)) {
    if (!parts.includes(basename(d))) continue;
    if (runDirs.has(dirname(d))) return dirname(d);
    nearest ??= dirname(d);
  }
  return nearest;
}

/**
 * The metric key of a metric file: its path below the run's `metrics` folder, `/`-separated
 * (`metrics/train/loss` -> `train/loss`; file names may hold spaces: `final accuracy`). The
 * `metrics` folder is the one whose parent holds `meta.yaml`, else the nearest.
 * @example
 * await metricKey('mlruns/1/0add84/metrics/final accuracy') // 'final accuracy'
 */
export async function metricKey(path: string): Promise<string> {
  let nearest: string | null = null;
  for (let d = dirname(path); d !== dirname(d); d = dirname(d)) {
    if (basename(d) !== 'metrics') continue;
    nearest ??= d;
    if (await exists(`${dirname(d)}${sep}meta.yaml`)) return keyBelow(d, path);
  }
  return nearest === null ? basename(path) : keyBelow(nearest, path);
}

function keyBelow(dir: string, path: string): string {
  return relative(dir, path).split(sep).join('/');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
