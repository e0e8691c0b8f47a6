/**
 * Finds log files under the paths a user gave, detects their format, and groups them into runs the
 * way users think of runs:
 * - TensorBoard: one run per directory holding event files; `train/`, `validation/` (Keras) and
 *   `add_scalars` sub-directories (`Loss_train/`) below a run become splits of that run (tag prefixes).
 *   Several event files in one directory are one run when the run was resumed, and one run per fit
 *   (named by its first file) when separate fits logged there (see `tensorboard-fits/`).
 * - Lightning `version_N/metrics.csv`: one run per directory.
 * - MLflow: one run per run folder (`mlruns/<experiment>/<run>/`: its `meta.yaml` and every metric file).
 * - W&B: one run per run folder (`wandb/run-<date>_<time>-<id>/`, `offline-run-...`): its history
 *   (`run-<id>.wandb` or `wandb-history.jsonl`) and `config.yaml`; its other files are not logs.
 * - Keras CSV, Keras history JSON, JSON lines: one run per file. Hugging Face: one run per output
 *   directory, read from the latest `checkpoint-N/trainer_state.json` when there are several.
 * With `followLinks`, directories are walked as TensorBoard does, following symbolic links (see `walk/`).
 * A file reached again through another given path (`wandb/` and `wandb/latest-run`) is read once.
 */
import { open, realpath, stat } from 'node:fs/promises';
import { basename, dirname, relative, sep } from 'node:path';
import { isRunMeta, runDirOf } from './mlflow/index.js';
import type { FormatReader, Problem } from './reader.js';
import { splitEventFiles } from './tensorboard-fits/split-fits.js';
import { walkTree } from './walk/walk-tree.js';
import { isRunDirName, wandbFileOrder, wandbPart, wandbRunDirOf } from './wandb/layout.js';

/** One file of a run, and the prefix its tags get inside the run (a split such as `validation/`). */
export interface RunFile {
  readonly path: string;
  readonly prefix: string;
}

/** A run found on disk, not yet read. */
export interface RunSource {
  /** Display id: the run directory (or file) as the user gave it plus the relative path. */
  readonly id: string;
  readonly reader: FormatReader;
  readonly files: readonly RunFile[];
}

/** Options of {@link discoverRuns}. */
export interface DiscoverOptions {
  /**
   * Follow symbolic links to files and folders, as TensorBoard does (loops are cut). Default false:
   * the dashboard promises never to open a file outside the served paths.
   */
  readonly followLinks?: boolean;
}

/** What {@link discoverRuns} found. */
export interface Discovery {
  readonly runs: RunSource[];
  readonly problems: Problem[];
  /** Files looked at that are not logs of a known format (READMEs, configs, images ...). */
  readonly ignored: number;
}

const HEAD_BYTES = 4096;
const SPLIT_DIRS = new Set(['train', 'training', 'validation', 'val', 'valid', 'eval', 'test']);

async function head(path: string): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

interface Detected {
  readonly path: string;
  readonly reader: FormatReader;
}

/**
 * Walks `paths` (files or directory trees), detects each file's format with `readers` (first match
 * wins) and groups files into runs. Missing paths and empty directories are problems, not exceptions.
 * @example
 * const { runs, problems } = await discoverRuns(['logs/'], readers, { followLinks: true });
 */
export async function discoverRuns(paths: readonly string[], readers: readonly FormatReader[], options: DiscoverOptions = {}): Promise<Discovery> {
  const problems: Problem[] = [];
  const runs: RunSource[] = [];
  let ignored = 0;
  /** Real paths of the files of earlier roots, when several paths are given. */
  const seen = new Set<string>();
  for (const root of paths) {
    let files: string[] = [];
    let isDir = false;
    try {
      const st = await stat(root);
      isDir = st.isDirectory();
      if (isDir) {
        const walked = await walkTree(root, { followLinks: options.followLinks ?? false });
        files = walked.files;
        problems.push(...walked.problems);
      } else files = [root];
    } catch (cause) {
      problems.push({ file: root, code: 'not-found', message: `${root}: cannot read (${(cause as NodeJS.ErrnoException).code ?? String(cause)}); expected a log file or a directory of logs` });
      continue;
    }
    if (paths.length > 1) {
      const fresh = await unseen(files, seen);
      if (fresh.length === 0 && files.length > 0) continue; // all read through an earlier path
      files = fresh;
    }
    const heads = new Map<string, Uint8Array>();
    for (const file of files) {
      try {
        heads.set(file, await head(file));
      } catch (cause) {
        problems.push({ file, code: 'unreadable', message: `${file}: cannot read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})` });
      }
    }
    const mlflow = readers.find((r) => r.name === 'mlflow');
    const mlflowRuns = new Set(mlflow ? [...heads].filter(([f, h]) => isRunMeta(f, h)).map(([f]) => dirname(f)) : []);
    const wandb = readers.find((r) => r.name === 'wandb');
    const wandbRuns = new Set(wandb ? [...heads].filter(([f, h]) => wandb.detect(f, h)).map(([f]) => dirname(f)) : []);
    const detected: Detected[] = [];
    for (const [file, bytes] of heads) {
      let reader = mlflow && mlflowRuns.size > 0 ? ownedByMlflowRun(file, mlflowRuns, mlflow) : undefined;
      if (reader === undefined && wandb && wandbRuns.size > 0) reader = ownedByWandbRun(file, bytes, wandbRuns, wandb);
      const found = reader === undefined ? readers.find((r) => r.detect(file, bytes)) : reader;
      if (found) detected.push({ path: file, reader: found });
      else ignored++;
    }
    if (detected.length === 0) {
      problems.push({
        file: root,
        code: 'no-logs',
        message: `${root}: no training logs found${isDir ? ` in ${files.length} file(s)` : ''}; expected TensorBoard event files, metrics.csv, a Keras CSV log or history JSON, trainer_state.json, an MLflow mlruns/ folder, a W&B wandb/run-*/ folder or .jsonl`,
      });
      continue;
    }
    runs.push(...(await group(root, isDir, detected, mlflowRuns, wandbRuns)));
  }
  return { runs, problems, ignored };
}

/**
 * Files inside a known MLflow run folder: every file below its `metrics/` is a metric file of that
 * run (even one whose first line is bad: the reader reports it); `params/` and `tags/` files are read
 * with its `meta.yaml` (null: not a log of their own). Other files: undefined (detect as usual).
 */
function ownedByMlflowRun(file: string, runDirs: ReadonlySet<string>, mlflow: FormatReader): FormatReader | null | undefined {
  const dir = runDirOf(file, runDirs, ['metrics', 'params', 'tags']);
  if (dir === null || !runDirs.has(dir)) return undefined;
  const part = relative(dir, file).split(sep)[0];
  return part === 'metrics' ? mlflow : null;
}

/**
 * Files inside a W&B run folder: its history and config are read by the W&B reader; its other files
 * (summary, metadata, `output.log`, `wandb-events.jsonl`, saved code) are not logs (null) when the
 * folder is named like a run folder (`run-*`, `offline-run-*`). Other files: undefined (detect as usual).
 */
function ownedByWandbRun(file: string, head: Uint8Array, runDirs: ReadonlySet<string>, wandb: FormatReader): FormatReader | null | undefined {
  const dir = wandbRunDirOf(file, runDirs);
  if (dir === null) return undefined;
  if (wandbPart(file, dir, head) !== 'other') return wandb;
  return isRunDirName(dir) ? null : undefined;
}

/** The files whose real path no earlier root reached, recording theirs. */
async function unseen(files: readonly string[], seen: Set<string>): Promise<string[]> {
  const out: string[] = [];
  for (const file of files) {
    let real = file;
    try {
      real = await realpath(file);
    } catch {
      // removed meanwhile: the head read reports it
    }
    if (seen.has(real)) continue;
    seen.add(real);
    out.push(file);
  }
  return out;
}

async function group(root: string, isDir: boolean, detected: readonly Detected[], mlflowRuns: ReadonlySet<string>, wandbRuns: ReadonlySet<string>): Promise<RunSource[]> {
  const tbDirs = new Set(detected.filter((d) => d.reader.name === 'tensorboard').map((d) => dirname(d.path)));
  const groups = new Map<string, { reader: FormatReader; runDir: string; files: RunFile[] }>();
  const add = (key: string, reader: FormatReader, runDir: string, file: RunFile): void => {
    const g = groups.get(key) ?? { reader, runDir, files: [] };
    g.files.push(file);
    groups.set(key, g);
  };
  const latestHf = latestCheckpoints(detected.filter((d) => d.reader.name === 'hf-trainer-state').map((d) => d.path));
  for (const d of detected) {
    const dir = dirname(d.path);
    if (d.reader.name === 'tensorboard') {
      const runDir = tensorboardRunDir(dir, tbDirs, isDir ? root : dirname(root));
      const prefix = runDir === dir ? '' : relative(runDir, dir).split(sep).join('/') + '/';
      add(`tb:${runDir}`, d.reader, runDir, { path: d.path, prefix });
    } else if (d.reader.name === 'lightning-csv') {
      add(`${d.reader.name}:${dir}`, d.reader, dir, { path: d.path, prefix: '' });
    } else if (d.reader.name === 'hf-trainer-state') {
      if (!latestHf.has(d.path)) continue;
      const runDir = /^checkpoint-\d+$/.test(basename(dir)) ? dirname(dir) : dir;
      add(`hf:${runDir}`, d.reader, runDir, { path: d.path, prefix: '' });
    } else if (d.reader.name === 'mlflow') {
      const runDir = basename(d.path) === 'meta.yaml' ? dir : (runDirOf(d.path, mlflowRuns) ?? dir);
      add(`mlflow:${runDir}`, d.reader, runDir, { path: d.path, prefix: '' });
    } else if (d.reader.name === 'wandb') {
      const runDir = wandbRunDirOf(d.path, wandbRuns) ?? dir;
      add(`wandb:${runDir}`, d.reader, runDir, { path: d.path, prefix: '' });
    } else {
      add(`${d.reader.name}:${d.path}`, d.reader, d.path, { path: d.path, prefix: '' });
    }
  }
  const ids = new Map<string, number>();
  const out: RunSource[] = [];
  for (const g of groups.values()) {
    for (const run of await splitRun(g)) {
      let id = run.runDir;
      const seen = ids.get(id) ?? 0;
      ids.set(id, seen + 1);
      if (seen > 0) id = `${id} (${g.reader.name})`;
      out.push({ id, reader: g.reader, files: run.files });
    }
  }
  return out;
}

/**
 * A group as runs: several event files in one directory (no split sub-directories) may be separate
 * fits, each a run named by its first file; an MLflow run reads its `meta.yaml` first.
 */
async function splitRun(g: { reader: FormatReader; runDir: string; files: RunFile[] }): Promise<Array<{ runDir: string; files: RunFile[] }>> {
  if (g.reader.name === 'mlflow') {
    const files = [...g.files].sort((a, b) => Number(basename(b.path) === 'meta.yaml') - Number(basename(a.path) === 'meta.yaml'));
    return [{ runDir: g.runDir, files }];
  }
  if (g.reader.name === 'wandb') return [{ runDir: g.runDir, files: [...g.files].sort((a, b) => wandbFileOrder(a.path, b.path)) }];
  if (g.reader.name !== 'tensorboard' || g.files.length < 2 || g.files.some((f) => f.prefix !== '')) return [g];
  const fits = await splitEventFiles(g.files.map((f) => f.path));
  if (fits.length <= 1) return [g];
  return fits.map((fit) => ({ runDir: fit.first, files: fit.files.map((path) => ({ path, prefix: '' })) }));
}

/** The run directory of an event file: the nearest ancestor holding event files itself, or the parent of a split dir. */
function tensorboardRunDir(dir: string, tbDirs: ReadonlySet<string>, top: string): string {
  let runDir = dir;
  for (let d = dirname(dir); d.length >= top.length && d !== dirname(d); d = dirname(d)) {
    if (tbDirs.has(d)) runDir = d;
    if (d === top) break;
  }
  if (runDir === dir && SPLIT_DIRS.has(basename(dir).toLowerCase()) && dir !== top) return dirname(dir);
  return runDir;
}

/** Of several `checkpoint-N/trainer_state.json` under one directory, only the highest N is a run's full history. */
function latestCheckpoints(paths: readonly string[]): Set<string> {
  const best = new Map<string, { n: number; path: string }>();
  const keep = new Set<string>();
  for (const p of paths) {
    const m = /^checkpoint-(\d+)$/.exec(basename(dirname(p)));
    if (!m) {
      keep.add(p);
      continue;
    }
    const parent = dirname(dirname(p));
    const n = Number(m[1]);
    const cur = best.get(parent);
    if (!cur || n > cur.n) best.set(parent, { n, path: p });
  }
  const topLevel = new Set([...keep].map((p) => dirname(p)));
  for (const [parent, { path }] of best) if (!topLevel.has(parent)) keep.add(path);
  return keep;
}
