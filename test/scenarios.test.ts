/**
 * Logs nndoctor has never seen: typical broken and healthy runs written in each supported format,
 * diagnosed end to end. Each broken run must get its check at warning or error; healthy runs must get
 * no error at all.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Diagnosis } from '../src/diagnose/diagnose-paths.js';
import { diagnosePaths } from '../src/diagnose/diagnose-paths.js';
import { curve, seeded } from '../src/test-support/runs.js';

type Series = Record<string, number[]>;

/** Lightning CSVLogger: per-step train loss, per-epoch val loss in sparse rows. */
function lightningCsv(train: number[], val: number[], stepsPerEpoch: number): string {
  const rows = ['epoch,step,train_loss,valid_loss'];
  for (let i = 0; i < train.length; i++) {
    const epoch = Math.floor(i / stepsPerEpoch);
    rows.push(`${epoch},${i},${fmt(train[i] as number)},`);
    if ((i + 1) % stepsPerEpoch === 0 && val[epoch] !== undefined) rows.push(`${epoch},${i},,${fmt(val[epoch] as number)}`);
  }
  return `${rows.join('\n')}\n`;
}

/** Keras CSVLogger: one row per epoch. */
function kerasCsv(series: Series): string {
  const keys = Object.keys(series);
  const n = Math.max(...keys.map((k) => series[k]?.length ?? 0));
  const rows = [`epoch,${keys.join(',')}`];
  for (let e = 0; e < n; e++) rows.push(`${e},${keys.map((k) => fmt(series[k]?.[e] ?? NaN)).join(',')}`);
  return `${rows.join('\n')}\n`;
}

/** nndoctor JSON lines, compact form. */
function jsonl(series: Series): string {
  const keys = Object.keys(series);
  const n = Math.max(...keys.map((k) => series[k]?.length ?? 0));
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const obj: Record<string, number | string> = { step: i * 10 };
    for (const k of keys) {
      const v = series[k]?.[i];
      if (v !== undefined) obj[k] = Number.isFinite(v) ? v : String(v);
    }
    lines.push(JSON.stringify(obj));
  }
  return `${lines.join('\n')}\n`;
}

/** Hugging Face trainer_state.json. */
function trainerState(loss: number[], every: number): string {
  const log_history = loss.map((l, i) => ({ epoch: ((i + 1) * every) / 500, learning_rate: 5e-5, loss: l, step: (i + 1) * every }));
  return JSON.stringify({ global_step: loss.length * every, log_history }, null, 2);
}

function fmt(v: number): string {
  return Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v);
}

const decaying = (n: number, noise: number, seed: number, floor = 0.15): number[] => curve(n, (i) => floor + 2.2 * Math.exp(-i / (n / 5)), noise, seed);

let root = '';
let diagnosis: Diagnosis;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'nndoctor-scenarios-'));
  const put = async (rel: string, text: string): Promise<void> => {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), text);
  };
  // NaN after step 300 (Lightning)
  const nanTrain = decaying(600, 0.2, 1).map((v, i) => (i >= 300 ? NaN : v));
  await put('nan/lightning_logs/version_0/metrics.csv', lightningCsv(nanTrain, [2, 1.5, 1.2, NaN, NaN, NaN], 100));
  // Clear overfitting (Keras CSV): train keeps falling, val bottoms at epoch 12 and climbs 60%
  const trainO = curve(40, (e) => 0.05 + 1.8 * Math.exp(-e / 8), 0.03, 2);
  const valO = curve(40, (e) => (e < 12 ? 0.6 + 1.4 * Math.exp(-e / 4) : 0.6 + 1.4 * Math.exp(-3) + 0.025 * (e - 12)), 0.03, 3);
  await put('overfit/training.log', kerasCsv({ loss: trainO, val_loss: valO, accuracy: trainO.map((l) => 1 - l / 2), val_accuracy: valO.map((l) => 1 - l / 2) }));
  // Divergence (JSON lines): falls, then grows steadily to 40x its minimum
  const div = curve(300, (i) => (i < 80 ? 2.3 - i * 0.015 : 1.1 * Math.exp((i - 80) / 60)), 0.1, 4);
  await put('diverge/run.jsonl', jsonl({ 'train/loss': div, lr: div.map(() => 0.5) }));
  // Flat at chance for a binary task (Hugging Face)
  const rand = seeded(5);
  await put('flat/trainer_state.json', trainerState(Array.from({ length: 60 }, () => 0.6931 + (rand() - 0.5) * 0.02), 10));
  // Unshuffled data: per-batch loss repeats with the epoch (sorted classes), Lightning with epoch column
  const spe = 50;
  // (sorted by class: each epoch walks through 5 class blocks; the loss jumps at every new class and
  // decays while the model adapts to it, and the whole pattern repeats with the epoch)
  const periodic = Array.from({ length: 20 * spe }, (_, i) => {
    const phase = i % spe;
    const block = Math.floor(phase / 10);
    return (0.4 + 0.5 * Math.exp(-i / 800)) * (1 + (0.3 + 0.15 * block) * Math.exp(-(phase % 10) / 3)) + (rand() - 0.5) * 0.05;
  });
  await put('unshuffled/lightning_logs/version_0/metrics.csv', lightningCsv(periodic, Array.from({ length: 20 }, (_, e) => 0.8 - e * 0.01), spe));
  // Healthy runs in every format
  await put('healthy/lightning_logs/version_0/metrics.csv', lightningCsv(decaying(1000, 0.3, 6), curve(10, (e) => 0.3 + 2 * Math.exp(-e / 2), 0.02, 7), 100));
  await put('healthy/keras/training.log', kerasCsv({ loss: curve(30, (e) => 0.2 + 2 * Math.exp(-e / 5), 0.02, 8), val_loss: curve(30, (e) => 0.3 + 2 * Math.exp(-e / 5), 0.02, 9) }));
  await put('healthy/jsonl/run.jsonl', jsonl({ 'train/loss': decaying(400, 0.25, 10), 'val/loss': decaying(400, 0.05, 11, 0.25) }));
  await put('healthy/hf/trainer_state.json', trainerState(decaying(80, 0.1, 12), 25));
  diagnosis = await diagnosePaths([root]);
  if (process.env['SCENARIO_DEBUG']) console.log(root);
});

function findingsOf(dir: string): Array<{ check: string; severity: string; steps: readonly [number, number] | null }> {
  const run = diagnosis.runs.find((r) => r.run.slice(root.length + 1).startsWith(dir));
  expect(run, `run under ${dir}`).toBeDefined();
  return (run?.findings ?? []).filter((f) => f.evidence['insufficientData'] !== true);
}

describe('diagnosis of runs it has never seen', () => {
  it('reads every scenario without an input problem', () => {
    expect(diagnosis.problems).toEqual([]);
    expect(diagnosis.runs).toHaveLength(9);
  });

  it('finds the NaN run and the step it turned NaN (C6 error)', () => {
    const c6 = findingsOf('nan/').find((f) => f.check === 'C6');
    expect(c6?.severity).toBe('error');
    expect(c6?.steps?.[0]).toBe(300);
  });

  it('finds clear overfitting (C3)', () => {
    const c3 = findingsOf('overfit/').find((f) => f.check === 'C3');
    expect(['warning', 'error']).toContain(c3?.severity);
  });

  it('finds divergence (C2 error)', () => {
    expect(findingsOf('diverge/').find((f) => f.check === 'C2')?.severity).toBe('error');
  });

  it('finds flat training at the chance level (C1)', () => {
    expect(['warning', 'error']).toContain(findingsOf('flat').find((f) => f.check === 'C1')?.severity);
  });

  it('finds unshuffled-data periodicity with the epoch length (C7)', () => {
    expect(['warning', 'error']).toContain(findingsOf('unshuffled/').find((f) => f.check === 'C7')?.severity);
  });

  it.each(['healthy/lightning_logs', 'healthy/keras', 'healthy/jsonl', 'healthy/hf'])('stays quiet (no error) on %s', (dir) => {
    expect(findingsOf(dir).filter((f) => f.severity === 'error')).toEqual([]);
  });
});

describe('several fits appended to one log', () => {
  it('tells the fits of a Keras CSV apart and says so, instead of calling the restart a divergence', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nndoctor-fits-'));
    const fit = (n: number, seed: number): Series => ({ loss: curve(n, (i) => 0.3 + 2 * Math.exp(-i / 6), 0.01, seed), val_loss: curve(n, (i) => 0.4 + 2 * Math.exp(-i / 6), 0.01, seed + 1) });
    const first = kerasCsv(fit(40, 1));
    const second = kerasCsv(fit(25, 3)).split('\n').slice(1).join('\n'); // CSVLogger(append=True): no second header
    await writeFile(join(dir, 'training.log'), first + second);
    const { runs, problems } = await diagnosePaths([join(dir, 'training.log')]);
    expect(problems).toEqual([]);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.notes.some((n) => /^loss: the log holds 2 fits .* the last fit is diagnosed/.test(n))).toBe(true);
    expect(runs[0]?.findings.filter((f) => f.check === 'C2' || f.check === 'C9')).toEqual([]);
    expect(runs[0]?.lastStep).toBe(39);
  });
});
