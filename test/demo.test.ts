/**
 * The fault sweep: `nndoctor demo` (the runner behind it, in-process) for the healthy run and for every
 * fault of the registry, each exactly as `nndoctor demo [--bug <id>]` trains it. The healthy report has
 * no error; each fault's report shows the checks the fault lists, at the severity it lists; and the log
 * directory read back by `diagnose` gives the same findings. A failure here after a change to a check
 * or to the TF.js doctor means the fault labels need measuring again: run
 * `nndoctor demo --bug <id>` and update `checks`/`severity` in src/faults/<id>.ts (and docs/demo.md).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDemo } from '../src/tfjs/demo/run-demo.js';
import { diagnosePaths } from '../src/diagnose/diagnose-paths.js';
import type { Fault } from '../src/faults/index.js';
import { faults } from '../src/faults/index.js';
import type { Finding } from '../src/findings/finding.js';
import { isTooLittleData } from '../src/report/summary.js';

const root = await mkdtemp(join(tmpdir(), 'nndoctor-demo-sweep-'));
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const real = (findings: readonly Finding[]): Finding[] => findings.filter((f) => !isTooLittleData(f));
const keys = (findings: readonly Finding[]): string[] => real(findings).map((f) => `${f.check} ${f.severity} ${f.layer ?? '-'}`).sort();

/** Validation accuracy of the healthy run, to show that a fault no check names still costs accuracy. */
let healthyAccuracy: number | null = null;

const cases: Array<[string, Fault | null]> = [['healthy', null], ...faults.map((f): [string, Fault] => [f.id, f])];

describe('nndoctor demo fault sweep', () => {
  it.each(cases)('%s', async (name, fault) => {
    const logDir = join(root, name);
    const result = await runDemo({ fault, logDir });
    const report = result.diagnosis.runs[0];
    expect(report).toBeDefined();
    const findings = real(report?.findings ?? []);
    const summary = findings.map((f) => `${f.check}:${f.severity}${f.layer ? `@${f.layer}` : ''}`).join(' ');
    expect(result.diagnosis.problems).toEqual([]);
    expect(result.steps).toBe(result.config.epochs * Math.ceil(result.config.data.train / result.config.batchSize));

    if (fault === null) {
      expect(findings.filter((f) => f.severity === 'error'), `healthy run: ${summary}`).toEqual([]);
      healthyAccuracy = result.valAccuracy;
      expect(result.valAccuracy).toBeGreaterThan(0.8);
    } else {
      for (const id of fault.checks) {
        const at = findings.filter((f) => f.check === id).map((f) => f.severity);
        expect(at, `${fault.id}: expected ${id} at ${fault.severity[id]}; the report has ${summary || 'no findings'}`).toContain(fault.severity[id]);
      }
      if (fault.checks.length === 0 && healthyAccuracy !== null) {
        // No check names it (see docs/demo.md), but the fault is real: it costs accuracy.
        expect(result.valAccuracy ?? 0).toBeLessThan(healthyAccuracy - 0.05);
      }
    }

    // `nndoctor diagnose <logdir>` agrees with the demo's own report.
    const fromLogs = await diagnosePaths([logDir]);
    expect(fromLogs.problems).toEqual([]);
    expect(fromLogs.runs).toHaveLength(1);
    // (all but the static model checks, which look at the model, not at the logs)
    const fromModel = new Set(result.modelFindings);
    expect(keys(fromLogs.runs[0]?.findings ?? [])).toEqual(keys(findings.filter((f) => !fromModel.has(f))));
  }, 240_000);
});
