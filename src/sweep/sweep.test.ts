import { describe, expect, it } from 'vitest';
import type { RunReport } from '../diagnose/diagnose.js';
import type { Finding, Severity } from '../findings/finding.js';
import { buildSweep, health, sweepOrder } from './sweep.js';

const roles = { trainLoss: 'loss', valLoss: 'val_loss', trainMetric: null, valMetric: null, lr: null, gradNorm: null, epoch: null };

function finding(check: string, severity: Severity, extra: Partial<Finding> = {}): Finding {
  return { check, severity, title: check === 'C2' ? 'Diverging' : check === 'C3' ? 'Overfitting' : 'Not converged', message: `${check} message`, tags: ['loss'], layer: null, steps: [0, 9], evidence: {}, actions: ['act'], ...extra };
}

function run(id: string, lr: number, findings: Finding[]): RunReport {
  return { run: `sweep/${id}`, files: [], format: 'jsonl', lastStep: 9, unit: 'step', curves: roles, notes: [], findings, params: { lr, seed: 1 }, lastLoss: { train: 1, val: 1 } };
}

const thin = finding('C9', 'info', { evidence: { insufficientData: true } });

describe('buildSweep', () => {
  const runs: RunReport[] = [];
  for (const [i, lr] of [1e-4, 1e-4, 1e-4, 1e-3, 1e-3, 1e-3].entries()) runs.push(run(`low_${i}`, lr, i === 0 ? [finding('C3', 'warning')] : [thin]));
  for (const [i, lr] of [1e-2, 1e-2, 1e-2, 1e-1, 1e-1, 1e-1].entries()) runs.push(run(`high_${i}`, lr, [finding('C2', 'error'), ...(i === 5 ? [finding('C4', 'info')] : [])]));

  it('counts runs by health and findings by severity, leaving out too-little-data notes', () => {
    const sweep = buildSweep(runs, 2);
    expect(sweep.counts).toEqual({ runs: 12, runsByHealth: { error: 6, warning: 1, info: 0, ok: 5 }, findings: { error: 6, warning: 1, info: 1 }, problems: 2 });
    expect(health(runs[1] as RunReport)).toBe('ok');
  });

  it('groups findings by check, errors first, each with its runs worst first and its parameter split', () => {
    const sweep = buildSweep(runs, 0);
    expect(sweep.groups.map((g) => [g.check, g.severity, g.runs.length])).toEqual([['C2', 'error', 6], ['C3', 'warning', 1], ['C4', 'info', 1]]);
    const c2 = sweep.groups[0];
    expect(c2?.runs).toEqual(['sweep/high_0', 'sweep/high_1', 'sweep/high_2', 'sweep/high_3', 'sweep/high_4', 'sweep/high_5']); // an extra info finding does not make a run worse
    expect(c2?.splits[0]).toMatchObject({ param: 'lr', side: { op: '>=', value: 0.01, runs: 6, withFinding: 6 }, rest: { op: '<=', value: 0.001, runs: 6, withFinding: 0 } });
    // one run is no split
    expect(sweep.groups[1]?.splits).toEqual([]);
    expect(sweep.params).toEqual(['lr']);
  });

  it('orders runs worst first, then by number of serious findings, then by id', () => {
    expect(sweepOrder(runs).map((r) => r.run.slice(6))).toEqual(['high_0', 'high_1', 'high_2', 'high_3', 'high_4', 'high_5', 'low_0', 'low_1', 'low_2', 'low_3', 'low_4', 'low_5']);
  });

  it('works on runs without params (reports made before runs carried them)', () => {
    const bare = runs.map(({ params: _p, ...r }) => r);
    const sweep = buildSweep(bare, 0);
    expect(sweep.params).toEqual([]);
    expect(sweep.groups[0]?.splits).toEqual([]);
  });
});
