import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../diagnose/diagnose-paths.js';
import type { Finding, Severity } from '../findings/finding.js';
import type { CheckLabel, CorpusLabels, LabelledRun } from './labels.js';
import { formatQuality, scoreCorpus } from './score.js';

const label = (expect: CheckLabel['expect'], onset: number | null = null): CheckLabel => ({ expect, onset, why: 'test' });
const finding = (check: string, severity: Severity): Finding => ({ check, severity, title: check, message: '', tags: [], layer: null, steps: null, evidence: {}, actions: [] });

function run(dir: string, labels: Record<string, CheckLabel>, extra: Partial<LabelledRun> = {}): LabelledRun {
  return { dir, source: dir, format: 'tensorboard', split: 'test', fault: null, arch: 'a', dataset: 'mnist', seed: 11, steps: 100, healthy: false, labels, live: [], ...extra };
}

function diagnosis(byDir: Record<string, Finding[]>): Diagnosis {
  return {
    version: 1,
    problems: [],
    runs: Object.entries(byDir).map(([dir, findings]) => ({ run: dir, files: [`corpus/${dir}/events.out.tfevents.1`], format: 'tensorboard', lastStep: 99, unit: 'step', curves: { trainLoss: null, valLoss: null, metric: null, valMetric: null, lr: null } as never, notes: [], findings })),
  };
}

describe('scoreCorpus', () => {
  const labels: CorpusLabels = {
    version: 1,
    generated: 'now',
    quick: true,
    runs: [
      run('nan', { C6: label('must', 10), T1: label('must', 10) }, { fault: 'log-zero-nan', live: [{ check: 'T1', severity: 'error', step: 12 }] }),
      run('nan2', { C6: label('must', 50), T1: label('must', 50) }, { fault: 'log-zero-nan', live: [{ check: 'T1', severity: 'error', step: 90 }] }),
      run('ok', { C6: label('mustNot'), T1: label('mustNot'), C1: label('either') }, { healthy: true }),
      run('ok2', { C6: label('mustNot'), T1: label('mustNot') }, { healthy: true, live: [{ check: 'C1', severity: 'error', step: 19 }, { check: 'C10', severity: 'warning', step: 39 }] }),
    ],
  };
  const d = diagnosis({
    nan: [finding('C6', 'error'), finding('T1', 'error')],
    nan2: [finding('T1', 'error'), finding('C6', 'info')],
    ok: [finding('C1', 'error'), finding('C4', 'warning')],
    ok2: [finding('C6', 'warning')],
  });
  const score = scoreCorpus(labels, d).splits.find((s) => s.split === 'test');

  it('counts TP/FN/FP per check, info findings do not fire, either labels are not scored', () => {
    const c6 = score?.checks.find((c) => c.check === 'C6');
    expect(c6).toMatchObject({ tp: 1, fn: 1, fp: 1, tn: 1, precision: 0.5, recall: 0.5, missed: ['nan2'], falseAlarms: ['ok2'] });
    const c1 = score?.checks.find((c) => c.check === 'C1');
    expect(c1).toMatchObject({ tp: 0, fp: 0, precision: null, recall: null });
  });

  it('measures live delays from the onset and the fatal 20% rule', () => {
    const t1 = score?.checks.find((c) => c.check === 'T1');
    expect(t1).toMatchObject({ recall: 1, precision: 1, maxDelay: 40 });
    expect(score?.fatal.map((f) => [f.dir, f.within20])).toEqual([['nan', true], ['nan2', false]]);
  });

  it('reports error-level findings and warnings on healthy runs, and fault recall', () => {
    expect(score?.healthyErrors).toEqual(['ok: C1']);
    expect(score?.healthyLiveErrors).toEqual(['ok2: C1@19']);
    expect(score?.healthyWarnings).toEqual({ C4: 1, C6: 1 });
    expect(score?.faults).toEqual([{ fault: 'log-zero-nan', errorLevel: true, runs: 2, symptomatic: 2, detected: 2, recall: 1 }]);
    expect(formatQuality(scoreCorpus(labels, d))).toContain('| C6 | 2 | 1 | 1 | 1 | 0.50 | 0.50 |');
  });
});
