/**
 * Golden-file tests for the sweep reports (like Observable Plot's test/plots): the expected output
 * lives in __golden__/; run with UPDATE_GOLDEN=1 to rewrite it after an intended change, then review the diff.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../diagnose/diagnose.js';
import type { Diagnosis } from '../diagnose/diagnose-paths.js';
import type { Finding } from '../findings/finding.js';
import { renderJson } from './json.js';
import { renderSweepMarkdown } from './sweep-markdown.js';
import { renderSweepText } from './sweep-text.js';
import { SWEEP_THRESHOLD, useSweepView } from './sweep-view.js';

const roles = { trainLoss: 'train/loss', valLoss: 'val/loss', trainMetric: null, valMetric: null, lr: 'lr', gradNorm: null, epoch: 'epoch' };

function diverging(step: number): Finding {
  return {
    check: 'C2', severity: 'error', title: 'Diverging', message: `train/loss rose 38x above its minimum from step ${step} and did not come back.`, tags: ['train/loss'], layer: null, steps: [step, 2000],
    evidence: { riseFactor: 38.2, threshold: 4, fromStep: step }, actions: ['lower the learning rate 10x', `resume from the checkpoint at step ${step - 20} with gradient clipping (max_norm=1.0)`],
  };
}

const notLearning: Finding = {
  check: 'C1', severity: 'warning', title: 'Not learning', message: 'train/loss stays flat from step 0 to 2000: 2.303 -> 2.297 (-0.3%, flat below 5.0%).', tags: ['train/loss'], layer: null, steps: [0, 2000],
  evidence: { startLoss: 2.303, endLoss: 2.297, relativeChange: 0.0026, threshold: 0.05 }, actions: ['try learning rates 10x higher and 10x lower (P2 learning-rate range test)'],
};

const thin: Finding = {
  check: 'C9', severity: 'info', title: 'Unstable: too little data', message: 'val/loss has 6 points; C9 needs at least 8 to judge.', tags: ['val/loss'], layer: null, steps: null,
  evidence: { insufficientData: true, points: 6, needed: 8 }, actions: ['log more often'],
};

function run(lr: number, seed: number, findings: Finding[], last: { train: number | null; val: number | null }, extra: Record<string, number | string | boolean> = {}): RunReport {
  const id = `sweeps/grid/lr_${lr}_seed${seed}`;
  return {
    run: id, files: [`${id}/metrics.jsonl`], format: 'jsonl', lastStep: 2000, unit: 'step', curves: roles, notes: [], findings,
    params: { lr, seed, optimizer: 'adam', batch_size: 32, ...extra }, lastLoss: last,
  };
}

const runs: RunReport[] = [];
for (const seed of [0, 1, 2]) runs.push(run(0.0001, seed, [notLearning], { train: 2.297, val: 2.301 }));
for (const seed of [0, 1, 2]) runs.push(run(0.001, seed, seed === 2 ? [thin] : [], { train: 0.4123 + seed / 100, val: seed === 2 ? null : 0.5012 }, { dropout: 0.1 * seed }));
for (const seed of [0, 1, 2]) runs.push(run(0.01, seed, [diverging(800 + 100 * seed)], { train: 14.2, val: 15.9 }));
for (const seed of [0, 1, 2]) runs.push(run(0.1, seed, [diverging(120 + 10 * seed)], { train: NaN, val: NaN }));

const diagnosis: Diagnosis = {
  version: 1,
  runs,
  problems: [{ file: 'sweeps/grid/lr_0.1_seed2/metrics.jsonl', code: 'truncated', message: 'line 2013: the last line is cut short (48 bytes without a line end); read up to line 2012' }],
};

async function golden(name: string, actual: string): Promise<void> {
  const url = new URL(`./__golden__/${name}`, import.meta.url);
  if (process.env['UPDATE_GOLDEN']) await writeFile(url, actual);
  expect(actual).toBe(await readFile(url, 'utf8'));
}

describe('sweep reports', () => {
  it('text, 100 columns, no colour', async () => golden('sweep.txt', renderSweepText(diagnosis, { color: false, width: 100 })));
  it('text, 60 columns, quiet', async () => golden('sweep-narrow.txt', renderSweepText(diagnosis, { color: false, width: 60, verbose: false })));
  it('markdown', async () => golden('sweep.md', renderSweepMarkdown(diagnosis)));

  it('fits every line in the width and repeats the headline as the last line', () => {
    for (const width of [40, 60, 80, 100, 132, 200]) {
      const text = renderSweepText(diagnosis, { color: false, width });
      const lines = text.replace(/\n$/, '').split('\n');
      for (const line of lines) expect(line.length, `${width}: ${line}`).toBeLessThanOrEqual(width);
      const headline = lines.slice(0, lines.indexOf('')).join('\n');
      expect(headline).toMatch(/^nndoctor: 12 runs: /);
      expect(lines.slice(-headline.split('\n').length).join('\n')).toBe(headline);
    }
  });

  it('says which setting goes with which finding, and each explanation and action once', () => {
    const text = renderSweepText(diagnosis, { color: false, width: 200 });
    expect(text).toContain('all 6 runs with lr >= 0.01 have C2; none of the 6 with lr <= 0.001 do');
    expect(text).toContain('all 3 runs with lr <= 1e-4 have C1; none of the 9 with lr >= 0.001 do');
    const sweepPart = text.slice(0, text.indexOf('worst runs in full'));
    expect(sweepPart.match(/lower the learning rate 10x/g)).toHaveLength(1);
    expect(sweepPart.match(/Train loss rising over time/g)).toHaveLength(1);
    // the worst few in full: the worst of each worst finding first
    expect(text.slice(text.indexOf('worst runs in full')).match(/^[✖▲] \S+/gm)).toEqual(['✖ sweeps/grid/lr_0.01_seed0', '✖ sweeps/grid/lr_0.1_seed0', '▲ sweeps/grid/lr_0.0001_seed0']);
    // the per-run numbers of an action are shown for one run, and said to differ
    expect(text).toContain('resume from the checkpoint at step 780 with gradient clipping (max_norm=1.0) (numbers of lr_0.01_seed0;');
    expect(text.match(/C2 Diverging - 6 of 12 runs: lr_0.01_seed0, lr_0.1_seed0/g)).toHaveLength(1);
  });

  it('colours only when asked', () => {
    expect(renderSweepText(diagnosis, { color: false })).not.toContain('\u001b[');
    expect(renderSweepText(diagnosis, { color: true })).toContain('\u001b[31m');
  });

  it('is used above the documented number of runs', () => {
    expect(useSweepView(SWEEP_THRESHOLD, 'auto')).toBe(false);
    expect(useSweepView(SWEEP_THRESHOLD + 1, 'auto')).toBe(true);
    expect(useSweepView(1, 'summary')).toBe(true);
    expect(useSweepView(100, 'details')).toBe(false);
  });

  it('json: a sweep object after the runs, and params per run, version 1', () => {
    const parsed = JSON.parse(renderJson(diagnosis)) as { version: number; runs: Array<{ params: Record<string, unknown>; lastLoss: Record<string, unknown> }>; sweep: { counts: Record<string, unknown>; params: string[]; groups: Array<{ check: string; runs: string[]; splits: Array<Record<string, unknown>> }> } };
    expect(parsed.version).toBe(1);
    expect(Object.keys(parsed)).toEqual(['version', 'runs', 'problems', 'sweep']);
    expect(parsed.runs[9]?.lastLoss).toEqual({ train: 'NaN', val: 'NaN' });
    expect(parsed.sweep.counts).toEqual({ runs: 12, runsByHealth: { error: 6, warning: 3, info: 0, ok: 3 }, findings: { error: 6, warning: 3, info: 0 }, problems: 1 });
    expect(parsed.sweep.params).toEqual(['lr', 'seed', 'dropout']);
    expect(parsed.sweep.groups.map((g) => [g.check, g.runs.length])).toEqual([['C2', 6], ['C1', 3]]);
    expect(parsed.sweep.groups[0]?.splits[0]).toMatchObject({ param: 'lr', sameAs: [], side: { op: '>=', value: 0.01, runs: 6, withFinding: 6 }, rest: { op: '<=', value: 0.001, runs: 6, withFinding: 0 }, tries: 10 });
  });
});
