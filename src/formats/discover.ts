/**
 * Finds log files under the paths a user gave, detects their format, and groups them into runs the
 * way users think of runs:
 * - TensorBoard: one run per directory holding event files; `train/`, `validation/` (Keras) and
 *   `add_scalars` sub-directories (`Loss_train/`) below a run become splits of that run (tag prefixes).
 * - Lightning `version_N/metrics.csv`: one run per directory.
 * - Keras CSV, JSON lines: one run per file. Hugging Face: one run per output directory, read from the
 *   latest `checkpoint-N/trainer_state.json` when there are several.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { FormatReader, Problem } from './reader.js';

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

/** What {@link discoverRuns} found. */
export interface Discovery {
  readonly runs: RunSource[];
  readonly problems: Problem[];
  /** Files looked at that are not logs of a known format (READMEs, configs, images ...). */
  readonly ignored: number;
}

const HEAD_BYTES = 4096;
const SPLIT_DIRS = new Set(['train', 'training', 'validation', 'val', 'valid', 'eval', 'test']);
const SKIP_DIRS = new Set(['node_modules', '.git', '__pycache__', 'wandb', '.ipynb_checkpoints']);

async function walk(path: string, out: string[]): Promise<void> {
  const entries = await readdir(path, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  for (const e of entries) {
    const full = join(path, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) await walk(full, out);
    } else if (e.isFile()) out.push(full);
  }
}

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
 * const { runs, problems } = await discoverRuns(['logs/'], readers);
 */
export async function discoverRuns(paths: readonly string[], readers: readonly FormatReader[]): Promise<Discovery> {
  const problems: Problem[] = [];
  const runs: RunSource[] = [];
  let ignored = 0;
  for (const root of paths) {
    let files: string[] = [];
    let isDir = false;
    try {
      const st = await stat(root);
      isDir = st.isDirectory();
      if (isDir) await walk(root, files);
      else files = [root];
    } catch (cause) {
      problems.push({ file: root, code: 'not-found', message: `${root}: cannot read (${(cause as NodeJS.ErrnoException).code ?? String(cause)}); expected a log file or a directory of logs` });
      continue;
    }
    const detected: Detected[] = [];
    for (const file of files) {
      let bytes: Uint8Array;
      try {
        bytes = await head(file);
      } catch (cause) {
        problems.push({ file, code: 'unreadable', message: `${file}: cannot read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})` });
        continue;
      }
      const reader = readers.find((r) => r.detect(file, bytes));
      if (reader) detected.push({ path: file, reader });
      else ignored++;
    }
    if (detected.length === 0) {
      problems.push({
        file: root,
        code: 'no-logs',
        message: `${root}: no training logs found${isDir ? ` in ${files.length} file(s)` : ''}; expected TensorBoard event files, metrics.csv, a Keras CSV log, trainer_state.json or .jsonl`,
      });
      continue;
    }
    runs.push(...group(root, isDir, detected));
  }
  return { runs, problems, ignored };
}

function group(root: string, isDir: boolean, detected: readonly Detected[]): RunSource[] {
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
    } else {
      add(`${d.reader.name}:${d.path}`, d.reader, d.path, { path: d.path, prefix: '' });
    }
  }
  const ids = new Map<string, number>();
  const out: RunSource[] = [];
  for (const g of groups.values()) {
    let id = g.runDir;
    const seen = ids.get(id) ?? 0;
    ids.set(id, seen + 1);
    if (seen > 0) id = `${id} (${g.reader.name})`;
    out.push({ id, reader: g.reader, files: g.files });
  }
  return out;
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
