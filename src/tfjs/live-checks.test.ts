import { describe, expect, it } from 'vitest';
import type { Check } from '../checks/check.js';
import { makeFinding } from '../checks/check.js';
import type { Finding, Severity } from '../findings/finding.js';
import { runFrom } from '../test-support/runs.js';
import { alertLine, LiveChecks } from './live-checks.js';

const check = (id: string, severity: () => Severity | null): Check => ({
  id,
  title: `Check ${id}`,
  severity: 'error',
  kind: 'live',
  description: 'a test check that reports what it is told to',
  run: () => {
    const s = severity();
    return s ? [makeFinding({ id, title: `Check ${id}` }, { severity: s, message: `${id} is ${s}`, evidence: {}, actions: ['fix it'] })] : [];
  },
});

function harness(checks: Check[], stopOn: 'error' | 'warning' | null = null) {
  const calls: Array<[string, Severity, number]> = [];
  const lines: string[] = [];
  const live = new LiveChecks({ checks, stopOn, onFinding: (f, c) => calls.push([f.check, f.severity, c.step]), print: (l) => lines.push(l) });
  return { live, calls, lines };
}

const run = runFrom({ loss: [1, 0.5] });

describe('LiveChecks', () => {
  it('raises a finding once, again only when it escalates, and never downgrades it', () => {
    let s: Severity | null = 'warning';
    const { live, calls, lines } = harness([check('T4', () => s)]);
    live.evaluate(run, 10, false);
    live.evaluate(run, 20, false);
    s = 'error';
    live.evaluate(run, 30, false);
    s = 'warning';
    live.evaluate(run, 40, false);
    s = null;
    live.evaluate(run, 50, false);
    expect(calls).toEqual([['T4', 'warning', 10], ['T4', 'error', 30]]);
    expect(lines).toEqual(['nndoctor: step 10 WARNING T4 Check T4: T4 is warning', 'nndoctor: step 30 ERROR T4 Check T4: T4 is error']);
    expect(live.findings().map((f) => f.severity)).toEqual(['error']);
  });

  it('stops on the first new finding at or above stopOn', () => {
    let s: Severity | null = 'warning';
    const { live } = harness([check('T6', () => s)], 'error');
    expect(live.evaluate(run, 5, false)).toBeNull();
    s = 'error';
    expect(live.evaluate(run, 6, false)?.check).toBe('T6');
    expect(live.stop?.severity).toBe('error');
  });

  it('keeps the first T1 (the live localisation) and ignores "too little data" notes', () => {
    const { live, calls } = harness([]);
    const t1 = (layer: string): Finding => makeFinding({ id: 'T1', title: 'Non-finite values' }, { severity: 'error', message: layer, layer, evidence: {}, actions: ['x'] });
    live.raise(t1('overflow'), 3, 'r');
    live.raise(t1('dense_1'), 4, 'r');
    live.raise(makeFinding({ id: 'T5', title: 'Dead ReLUs' }, { severity: 'info', message: 'short', evidence: { insufficientData: true }, actions: ['x'] }), 4, 'r');
    expect(live.findings().map((f) => f.layer)).toEqual(['overflow']);
    expect(calls).toEqual([['T1', 'error', 3]]);
  });

  it('evaluates end-of-run checks (C4) only in the final evaluation', () => {
    const { live, calls } = harness([check('C4', () => 'warning'), check('C6', () => 'error')]);
    live.evaluate(run, 10, false);
    expect(calls.map((c) => c[0])).toEqual(['C6']);
    live.evaluate(run, 20, true);
    expect(calls.map((c) => c[0])).toEqual(['C6', 'C4']);
  });

  it('formats an alert with the layer', () => {
    const f = makeFinding({ id: 'T5', title: 'Dead ReLUs' }, { severity: 'error', message: 'dead', layer: 'dense_2', evidence: {}, actions: ['x'] });
    expect(alertLine(f, 7)).toBe('nndoctor: step 7 ERROR T5 Dead ReLUs [dense_2]: dead');
  });
});
