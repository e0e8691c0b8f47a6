/**
 * An MLflow run's metadata: `meta.yaml` (run name, status), `params/<key>` (one value per file,
 * numbers become numbers) and the run name tag `tags/mlflow.runName`. The run's name is
 * `mlflow.runName`, else `run_name` (MLflow 2) or `name` (MLflow 1) of `meta.yaml`.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { MetaValue, TelemetrySink } from '../../telemetry/run.js';
import { topLevelScalars } from '../lightning-csv/hparams.js';
import { problemList } from '../problems/problem-list.js';
import type { ReadOptions, ReadResult } from '../reader.js';
import { readWholeFile } from '../whole-file/read-whole-file.js';

/** Params longer than this (a model's repr) are cut: metadata is for reading, not for restoring. */
const MAX_PARAM_CHARS = 200;
/** Params read per run at most (each is one small file). */
const MAX_PARAMS = 500;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEANS: ReadonlyMap<string, boolean> = new Map([['True', true], ['true', true], ['False', false], ['false', false]]);

/**
 * Reads a run's `meta.yaml` and the `params/` and `tags/mlflow.runName` beside it into `sink.meta`.
 * Read again only when `meta.yaml` changed (MLflow rewrites it when the run ends).
 * @example
 * await readRunMeta('mlruns/1/0add84/meta.yaml', runSink(run), {});
 * run.meta.get('name'); // 'sincere-snake-245'
 * run.meta.get('batch_size'); // 128
 */
export async function readRunMeta(path: string, sink: TelemetrySink, options: ReadOptions): Promise<ReadResult> {
  const problems = problemList(options.displayPath ?? path);
  const file = await readWholeFile(path, options, problems, { resumable: true });
  if ('done' in file) return file.done;
  const { text, size } = file;
  const yaml = new Map(topLevelScalars(text));
  const runDir = dirname(path);
  let count = 0;
  for (const [key, value] of await readValues(join(runDir, 'params'), MAX_PARAMS)) {
    sink.meta(key, paramValue(value));
    count++;
  }
  const tagName = (await readValues(join(runDir, 'tags'), MAX_PARAMS)).get('mlflow.runName');
  const name = [tagName, yaml.get('run_name'), yaml.get('name')].find((n) => typeof n === 'string' && n.trim() !== '');
  if (name !== undefined) sink.meta('name', String(name).trim());
  for (const key of ['experiment_id', 'status', 'lifecycle_stage']) {
    const v = yaml.get(key);
    if (v !== undefined) sink.meta(`mlflow.${key}`, v);
  }
  options.onProgress?.(size);
  return { cursor: { offset: size }, problems: problems.toArray(), records: count + 1 };
}

/** The files below `dir` (keys with `/` are nested folders) as key -> text; empty when `dir` is missing. */
async function readValues(dir: string, max: number): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let entries: string[];
  try {
    entries = (await readdir(dir, { recursive: true })).sort();
  } catch {
    return out;
  }
  for (const rel of entries) {
    if (out.size >= max) break;
    try {
      const full = join(dir, rel);
      const st = await stat(full);
      if (!st.isFile() || st.size > 1024 * 1024) continue;
      out.set(rel.split('\\').join('/'), (await readFile(full, 'utf8')).replace(/\r?\n$/, ''));
    } catch {
      // removed meanwhile, or not readable: a param is not worth a problem
    }
  }
  return out;
}

/** A param as metadata: numbers and booleans as such, text cut to a readable length. */
function paramValue(text: string): MetaValue {
  const trimmed = text.trim();
  if (NUMBER.test(trimmed)) return Number(trimmed);
  const bool = BOOLEANS.get(trimmed);
  if (bool !== undefined) return bool;
  return trimmed.length > MAX_PARAM_CHARS ? `${trimmed.slice(0, MAX_PARAM_CHARS - 3)}...` : trimmed;
}
