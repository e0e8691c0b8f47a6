/**
 * The corpus generator: trains every planned run with the demo runner (fault injection + the TF.js
 * doctor writing a TensorBoard log directory with per-layer telemetry), labels it from its telemetry,
 * writes the exports, and updates `labels.json` after every run (an interrupted generation keeps what it
 * trained and `resume` goes on from there).
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MNIST_CLASSES } from '../tfjs/demo/mnist.js';
import { runDemo } from '../tfjs/demo/run-demo.js';
import type { TrainingConfig } from '../faults/config.js';
import { findFault } from '../faults/index.js';
import { discoverRuns } from '../formats/discover.js';
import { readers } from '../formats/index.js';
import { loadRun } from '../formats/load.js';
import { makeDir } from '../formats/make-dir.js';
import { toJsonl, toKerasCsv, toLightningCsv } from './exporters.js';
import { labelRun } from './labeller.js';
import type { CheckLabel, CorpusLabels, LabelledRun, LiveAlert } from './labels.js';
import type { ExportFormat, PlannedRun } from './plan.js';
import { planCorpus } from './plan.js';

/** Options of {@link generateCorpus}. */
export interface GenerateOptions {
  /** Corpus root directory (created). */
  readonly out: string;
  readonly quick?: boolean;
  /** The runs to train (default: {@link planCorpus} with `quick`). */
  readonly plan?: readonly PlannedRun[];
  /** Skip planned runs that labels.json already holds and whose log directory exists (after an interruption, or runs added to the plan). */
  readonly resume?: boolean;
  /** Called after each run with a one-line summary. */
  readonly onProgress?: (done: number, total: number, line: string) => void;
}

/** Checks a reader of each export format can still be judged on (the rest become `either`). */
const EXPORT_CHECKS: Readonly<Record<ExportFormat, readonly string[]>> = {
  'lightning-csv': ['C1', 'C2', 'C6', 'C7', 'C9', 'C10'],
  jsonl: ['C1', 'C2', 'C6', 'C7', 'C9', 'C10'],
  // One point per epoch: no per-batch noise, spikes or epoch period to see.
  'keras-csv': ['C1', 'C2', 'C6'],
};

const FILE: Readonly<Record<ExportFormat, string>> = { 'lightning-csv': 'metrics.csv', 'keras-csv': 'training.log', jsonl: 'metrics.jsonl' };

/**
 * Generates the corpus under `options.out` and returns its labels (also written to `labels.json`,
 * keeping the entries of runs this plan does not train, e.g. the other split generated separately).
 * @example
 * const labels = await generateCorpus({ out: 'corpus', quick: true, onProgress: (d, t, line) => console.log(`[${d}/${t}] ${line}`) });
 * labels.runs.length // runs plus exports
 */
export async function generateCorpus(options: GenerateOptions): Promise<CorpusLabels> {
  makeDir(options.out);
  const have = new Set(options.resume === true ? (readLabels(options.out)?.runs ?? []).filter((r) => existsSync(join(options.out, r.dir))).map((r) => r.source) : []);
  const plan = (options.plan ?? planCorpus({ quick: options.quick === true })).filter((p) => !have.has(p.id));
  const runs: LabelledRun[] = [];
  let done = 0;
  let written = writeLabels(options.out, runs, options.quick === true);
  for (const planned of plan) {
    const started = performance.now();
    const fault = planned.fault === null ? null : (findFault(planned.fault) ?? null);
    if (planned.fault !== null && fault === null) throw new Error(`corpus: unknown fault ${planned.fault}`);
    // A log directory from an earlier generation would add a second event file to the run.
    for (const dir of [planned.id, ...planned.exports.map((f) => `${planned.id}__${f}`)]) rmSync(join(options.out, dir), { recursive: true, force: true });
    const live: LiveAlert[] = [];
    const result = await runDemo({
      fault,
      config: planned.config,
      logDir: join(options.out, planned.id),
      onFinding: (f, { step }) => live.push({ check: f.check, severity: f.severity, step }),
    });
    const stepsPerEpoch = Math.ceil(result.config.data.train / result.config.batchSize);
    const labels = labelRun(result.run, { classes: MNIST_CLASSES, stepsPerEpoch });
    const musts = Object.entries(labels).filter(([, l]) => l.expect === 'must').map(([id]) => id);
    const base = { source: planned.id, split: planned.split, fault: planned.fault, arch: planned.arch, dataset: planned.dataset, seed: planned.seed, steps: result.steps };
    runs.push({ ...base, dir: planned.id, format: 'tensorboard', healthy: planned.fault === null && musts.length === 0, labels, live });
    for (const format of planned.exports) {
      const dir = `${planned.id}__${format}`;
      makeDir(join(options.out, dir));
      const text = format === 'lightning-csv' ? toLightningCsv(result.run) : format === 'keras-csv' ? toKerasCsv(result.run) : toJsonl(result.run);
      writeFileSync(join(options.out, dir, FILE[format]), text);
      runs.push({ ...base, dir, format, healthy: planned.fault === null && musts.length === 0, labels: labelsFor(format, labels), live: [] });
    }
    written = writeLabels(options.out, runs, options.quick === true);
    done++;
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    options.onProgress?.(done, plan.length, `${planned.id}: ${result.steps} steps, ${secs}s, must fire: ${musts.join(' ') || '-'}, live: ${[...new Set(live.map((a) => a.check))].join(' ') || '-'}`);
  }
  return written;
}

/**
 * Writes labels.json with `runs` and the runs of earlier generations it does not replace (the other
 * split, generated separately or in parallel; runs skipped by `resume`), re-read just before writing
 * and replaced by a rename, so a parallel generation's entries stay and a reader never sees half a file.
 */
function writeLabels(out: string, runs: readonly LabelledRun[], quick: boolean): CorpusLabels {
  const mine = new Set(runs.map((r) => r.source));
  const kept = readLabels(out)?.runs.filter((r) => !mine.has(r.source)) ?? [];
  return saveLabels(out, { version: 1, generated: new Date().toISOString(), quick, runs: [...kept, ...runs] });
}

/** Writes labels.json through a temporary file and a rename: a reader never sees half a file. */
function saveLabels(out: string, labels: CorpusLabels): CorpusLabels {
  const file = join(out, 'labels.json');
  writeFileSync(`${file}.${process.pid}.tmp`, `${JSON.stringify(labels, null, 1)}\n`);
  renameSync(`${file}.${process.pid}.tmp`, file);
  return labels;
}

/** The labels of a run in `format`: all of them for its TensorBoard log, only the checks its export can be judged on otherwise. */
function labelsFor(format: LabelledRun['format'], labels: Readonly<Record<string, CheckLabel>>): Record<string, CheckLabel> {
  const kept: Record<string, CheckLabel> = {};
  for (const [id, l] of Object.entries(labels)) kept[id] = format === 'tensorboard' || EXPORT_CHECKS[format].includes(id) ? l : { expect: 'either', onset: null, why: `not judged from a ${format} export` };
  return kept;
}

function readLabels(out: string): CorpusLabels | null {
  try {
    return JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8')) as CorpusLabels;
  } catch {
    return null;
  }
}

/**
 * Re-derives the labels of an existing corpus from its TensorBoard log directories (after a change
 * to the labeller), keeping the live alerts recorded at training time; rewrites `labels.json`.
 * @example
 * const labels = await relabelCorpus('corpus');
 */
export async function relabelCorpus(out: string): Promise<CorpusLabels> {
  const old = readLabels(out);
  if (!old) throw new Error(`corpus: no readable labels.json in ${out} (run npm run corpus first)`);
  const fresh = new Map<string, Record<string, CheckLabel>>();
  for (const r of old.runs.filter((x) => x.format === 'tensorboard')) {
    const config = JSON.parse(readFileSync(join(out, r.dir, 'demo-config.json'), 'utf8')) as { config: TrainingConfig };
    const { runs } = await discoverRuns([join(out, r.dir)], readers);
    const source = runs[0];
    if (!source) throw new Error(`corpus: no run found in ${r.dir}`);
    const { run } = await loadRun(source);
    fresh.set(r.dir, labelRun(run, { classes: MNIST_CLASSES, stepsPerEpoch: Math.ceil(config.config.data.train / config.config.batchSize) }));
  }
  const runs = old.runs.map((r): LabelledRun => {
    const labels = fresh.get(r.source) ?? {};
    const musts = Object.values(labels).some((l) => l.expect === 'must');
    return { ...r, labels: labelsFor(r.format, labels), healthy: r.fault === null && !musts };
  });
  const result: CorpusLabels = { ...old, generated: new Date().toISOString(), runs };
  return saveLabels(out, result);
}
