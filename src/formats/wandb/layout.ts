/**
 * Where things are in a W&B local run folder (`wandb/run-<date>_<time>-<id>/`, or
 * `wandb/offline-run-...` for `WANDB_MODE=offline`): the history is `run-<id>.wandb` (the binary
 * transaction log, clients 0.9+) or `wandb-history.jsonl` (clients 0.8); the config is
 * `files/config.yaml` (`config.yaml` in the run folder for 0.8). Everything else there (summary,
 * metadata, `output.log`, `requirements.txt`, saved code and media, system-stats `wandb-events.jsonl`)
 * belongs to the run and is not a log of its own. `wandb/latest-run` is a link to the newest run.
 */
import { basename, dirname, relative, sep } from 'node:path';
import { FILE_HEADER } from './log-records.js';

/** The 0.8 clients' history file. */
export const JSONL_HISTORY = 'wandb-history.jsonl';

/**
 * Whether a file is a run's history: a `.wandb` log (by its header; an empty `*.wandb` file is one
 * being created) or a `wandb-history.jsonl`.
 * @example
 * isWandbHistory('wandb/run-20240430_164045-19xavnde/run-19xavnde.wandb', head) // true
 */
export function isWandbHistory(path: string, head: Uint8Array): boolean {
  const name = basename(path);
  if (name === JSONL_HISTORY) return true;
  const n = Math.min(head.length, FILE_HEADER.length);
  for (let i = 0; i < n; i++) if (head[i] !== FILE_HEADER[i]) return false;
  // The whole header, or (a file being created) as much of it as there is in a `*.wandb` file.
  return n === FILE_HEADER.length || name.endsWith('.wandb');
}

/** A run folder's name: `run-20240430_164045-19xavnde`, `offline-run-...` (old clients: `run-20200128_133032-5hk954l0`). */
const RUN_DIR = /^(offline-)?run-/;

/**
 * Whether a folder is named like a W&B run folder (its files other than the history and config then
 * belong to the run; elsewhere they are detected as usual).
 * @example
 * isRunDirName('wandb/offline-run-20240101_000000-abcd') // true
 */
export function isRunDirName(dir: string): boolean {
  return RUN_DIR.test(basename(dir));
}

/**
 * The W&B run folder a file belongs to: its own folder when that holds a run history, else the
 * nearest folder above it named like a run folder (`run-...`) that holds one; `null` otherwise. (A
 * history file outside a `run-*` folder claims only its own folder, not a whole project below it.)
 * @example
 * wandbRunDirOf('wandb/run-1/files/config.yaml', new Set(['wandb/run-1'])) // 'wandb/run-1'
 */
export function wandbRunDirOf(path: string, runDirs: ReadonlySet<string>): string | null {
  const own = dirname(path);
  if (runDirs.has(own)) return own;
  for (let d = dirname(own); d !== dirname(d); d = dirname(d)) if (runDirs.has(d) && RUN_DIR.test(basename(d))) return d;
  return null;
}

/**
 * What a file inside a run folder is: `history` (`*.wandb` or `wandb-history.jsonl` in the folder
 * itself), `config` (`files/config.yaml`, or `config.yaml` beside a 0.8 history), or `other`.
 * @example
 * wandbPart('wandb/run-1/files/config.yaml', 'wandb/run-1', head) // 'config'
 */
export function wandbPart(path: string, runDir: string, head: Uint8Array): 'history' | 'config' | 'other' {
  const rel = relative(runDir, path).split(sep);
  if (rel.length === 1 && isWandbHistory(path, head)) return 'history';
  if ((rel.length === 2 && rel[0] === 'files' && rel[1] === 'config.yaml') || (rel.length === 1 && rel[0] === 'config.yaml')) return 'config';
  return 'other';
}

/**
 * Order of a run's files: its config first (so metadata is there however far the history is read),
 * then the histories by name.
 * @example
 * ['run/run-a.wandb', 'run/files/config.yaml'].sort(wandbFileOrder) // config first
 */
export function wandbFileOrder(a: string, b: string): number {
  const isConfig = (p: string): number => (basename(p) === 'config.yaml' ? 0 : 1);
  return isConfig(a) - isConfig(b) || a.localeCompare(b);
}
