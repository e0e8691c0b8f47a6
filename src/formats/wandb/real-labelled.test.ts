/**
 * The 23 hand-labelled W&B run folders (`../shared/data/real-labelled/wandb/`, beside the clone):
 * each is one run, its labelled train/val loss keys are the curves the conventions pick, and every
 * series holds one point per history row that logged its key (counted here straight from the
 * records, apart from the sink), ending on the value `wandb-summary.json` holds when the summary is
 * not newer than the history.
 */
import { existsSync, readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveCurves } from '../../telemetry/curves.js';
import type { Run } from '../../telemetry/run.js';
import { discoverRuns } from '../discover.js';
import { readers } from '../index.js';
import { loadRun } from '../load.js';
import { parseLenientJson } from '../json/lenient-json.js';
import { scanLog } from './log-records.js';
import { decodeRecord, itemKey } from './proto.js';
import { realLabelledPath } from '../../test-support/real-runs.js';

const root = realLabelledPath('wandb/');
const present = existsSync(join(root, 'labels.json'));

interface WandbLabel {
  readonly path: string;
  readonly format: string;
  readonly series: { readonly trainLoss: string; readonly valLoss: string | null };
}

const labels: WandbLabel[] = present ? (JSON.parse(readFileSync(join(root, 'labels.json'), 'utf8')) as WandbLabel[]) : [];

/** Points of the train loss the labels' notes give (counted by hand from the history). */
const NOTED_POINTS: Readonly<Record<string, number>> = {
  'ngram_scaling_lm/wandb/run-20260228_162924-scszgywk': 1116,
  'ngram_scaling_lm/wandb/run-20260309_131359-cee4nz6i': 93,
  'tinylm_pretrain/wandb/run-20260211_121423-kj3gdsjx': 2144,
  'tictactoe_mnist_2020/TicTacToe_AI/Net/wandb/run-20200128_133032-5hk954l0': 215,
  'tictactoe_mnist_2020/wandb/run-20200127_150938-yi0otqy5': 1713,
};

/** The history rows of a run folder as key -> value text, straight from the files. */
async function historyRows(runDir: string, format: string): Promise<Array<Map<string, string>>> {
  const rows: Array<Map<string, string>> = [];
  if (format === 'wandb-history-jsonl') {
    for (const line of (await readFile(join(runDir, 'wandb-history.jsonl'), 'utf8')).split('\n')) {
      if (line.trim() === '') continue;
      const row = parseLenientJson(line) as Record<string, unknown>;
      rows.push(new Map(Object.entries(row).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)])));
    }
    return rows;
  }
  const id = runDir.split('-').pop() as string;
  const fh = await open(join(runDir, `run-${id}.wandb`), 'r');
  try {
    await scanLog(fh, 0, { skipping: false }, {
      record(data) {
        const history = decodeRecord(data).history;
        if (history) rows.push(new Map(history.item.map((i) => [itemKey(i) ?? '', i.value_json ?? ''])));
      },
      issue() {},
    });
  } finally {
    await fh.close();
  }
  return rows;
}

async function readRun(runDir: string): Promise<Run[]> {
  const found = await discoverRuns([runDir], readers, { followLinks: true });
  const runs: Run[] = [];
  for (const source of found.runs) runs.push((await loadRun(source)).run);
  return runs;
}

describe.skipIf(!present)('real labelled W&B runs (../shared/data/real-labelled/wandb)', () => {
  it('reads the 23 labelled folders as 23 W&B runs, every one once', async () => {
    const found = await discoverRuns([root], readers, { followLinks: true });
    expect(found.problems).toEqual([]);
    expect(found.runs.map((r) => r.reader.name)).toEqual(Array(23).fill('wandb'));
    expect(new Set(found.runs.map((r) => r.id.slice(root.length))).size).toBe(23);
    expect(found.runs.map((r) => r.id.slice(root.length)).sort()).toEqual(labels.map((l) => l.path).sort());
  });

  it.each(labels.map((l) => [l.path, l]))('%s', async (_path, label) => {
    const runDir = join(root, label.path);
    const runs = await readRun(runDir);
    expect(runs).toHaveLength(1);
    const run = runs[0] as Run;
    expect(run.format).toBe('wandb');
    const curves = resolveCurves(run);
    expect(curves.trainLoss?.tag).toBe(label.series.trainLoss);
    if (label.series.valLoss !== null) expect(curves.valLoss?.tag).toBe(label.series.valLoss);
    // No val curve: nothing, or a single end-of-run evaluation (tinylm's `val/loss`), which no check reads as a curve.
    else expect(curves.valLoss === null || curves.valLoss.steps.length < 2).toBe(true);

    const rows = await historyRows(runDir, label.format);
    for (const key of [label.series.trainLoss, label.series.valLoss]) {
      if (key === null) continue;
      const logged = rows.filter((r) => r.has(key));
      const series = run.scalars.get(key);
      expect(series?.values.length, key).toBe(logged.length);
      expect(series?.steps, `${key} steps`).toEqual(logged.map((r) => Number(r.get('_step'))));
      const steps = series?.steps ?? [];
      expect(steps.every((s, i) => i === 0 || s > (steps[i - 1] as number)), `${key} steps increase`).toBe(true);
    }
    const noted = NOTED_POINTS[label.path];
    if (noted !== undefined) expect(run.scalars.get(label.series.trainLoss)?.values.length).toBe(noted);

    // The summary holds the last value of each key, unless it is newer than the history (partial runs).
    const summaryPath = join(runDir, label.format === 'wandb' ? 'files' : '', 'wandb-summary.json');
    const summaryText = existsSync(summaryPath) ? readFileSync(summaryPath, 'utf8') : '';
    if (summaryText.trim() !== '') {
      const summary = parseLenientJson(summaryText) as Record<string, unknown>;
      const lastStep = Math.max(...rows.map((r) => Number(r.get('_step'))));
      for (const key of [label.series.trainLoss, label.series.valLoss]) {
        if (key === null || summary['_step'] !== lastStep || !(key in summary)) continue;
        const values = run.scalars.get(key)?.values ?? [];
        const last = values[values.length - 1] as number;
        const want = summary[key];
        if (want === 'NaN') expect(last, key).toBeNaN();
        else expect(last, key).toBe(want);
      }
    }
  });
});
