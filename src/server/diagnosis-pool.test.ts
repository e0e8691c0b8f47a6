import { describe, expect, it } from 'vitest';
import type { Check } from '../checks/check.js';
import { makeFinding } from '../checks/check.js';
import { diagnoseRun } from '../diagnose/diagnose.js';
import { createRun, runSink } from '../telemetry/run.js';
import { DiagnosisPool } from './diagnosis-pool.js';

function overfittingRun(id: string) {
  const run = createRun(id, 'jsonl');
  const sink = runSink(run);
  for (let step = 0; step < 200; step++) {
    sink.scalar('train/loss', step, 2 * Math.exp(-step / 30) + 0.1, NaN);
    if (step % 5 === 0) sink.scalar('val/loss', step, 2 * Math.exp(-Math.min(step, 60) / 30) + 0.2 + Math.max(0, step - 60) * 0.01, NaN);
  }
  return run;
}

describe('DiagnosisPool', () => {
  it('diagnoses in a worker thread, with the same report as inline, one run at a time, urgent runs first', async () => {
    const pool = new DiagnosisPool({});
    try {
      const runs = ['a', 'b', 'c'].map(overfittingRun);
      const order: string[] = [];
      const started = (id: string) => () => order.push(id);
      const pa = pool.diagnose('a', () => runs[0] as never, started('a'));
      const pb = pool.diagnose('b', () => runs[1] as never, started('b'));
      const pc = pool.diagnose('c', () => runs[2] as never, started('c'), true);
      expect(pool.diagnose('b', () => runs[1] as never, started('b'))).toBe(pb);
      const [ra] = await Promise.all([pa, pb, pc]);
      expect(pool.mode).toBe('worker');
      expect(order).toEqual(['a', 'c', 'b']);
      expect(ra.report).toEqual(diagnoseRun(runs[0] as never).report);
      expect(ra.report.findings.map((f) => f.check)).toContain('C3');
    } finally {
      await pool.close();
    }
  });

  it('runs custom checks inline', async () => {
    const custom: Check = { id: 'X1', title: 'Custom', severity: 'info', kind: 'log', description: 'test', run: () => [makeFinding({ id: 'X1', title: 'Custom' }, { severity: 'info', message: 'hi', evidence: {}, actions: [] })] };
    const pool = new DiagnosisPool({ checks: [custom] });
    try {
      const { report } = await pool.diagnose('a', () => overfittingRun('a'), () => undefined);
      expect(pool.mode).toBe('inline');
      expect(report.findings.map((f) => f.check)).toEqual(['X1']);
    } finally {
      await pool.close();
    }
  });
});
