/**
 * Test support (not shipped): ESLint-RuleTester-style tables for checks. `valid` runs must not produce a
 * warning or error; `invalid` runs must produce exactly the listed findings (in order), each matched on
 * severity and, when given, layer, steps, message and evidence.
 */
import { describe, expect, it } from 'vitest';
import type { Check } from '../checks/check.js';
import type { Finding, Severity } from '../findings/finding.js';
import type { CurveTags } from '../telemetry/curves.js';
import { resolveCurves } from '../telemetry/curves.js';
import type { Run } from '../telemetry/run.js';

/** An evidence value to match exactly, or a predicate on it. */
export type EvidenceMatcher = number | string | boolean | null | ((value: unknown) => boolean);

/** What one expected finding must look like. */
export interface ExpectedFinding {
  readonly severity: Severity;
  readonly layer?: string | null;
  readonly steps?: readonly [number, number] | null | ((steps: readonly [number, number] | null) => boolean);
  readonly message?: RegExp;
  readonly evidence?: Readonly<Record<string, EvidenceMatcher>>;
}

/** A run that must not trigger the check at warning or error. */
export interface ValidCase {
  readonly name: string;
  readonly run: Run;
  readonly tags?: CurveTags;
}

/** A run that must trigger exactly these findings (info findings included). */
export interface InvalidCase extends ValidCase {
  readonly findings: readonly ExpectedFinding[];
}

/**
 * Runs `check` on a case's run with curves resolved by convention.
 * @example
 * runCheck(c3Overfitting, { name: 'no val', run: runFrom({ loss: [1, 0.5] }) }) // []
 */
export function runCheck(check: Check, c: ValidCase): Finding[] {
  return check.run({ run: c.run, curves: resolveCurves(c.run, c.tags ?? {}) });
}

function matchFinding(actual: Finding, want: ExpectedFinding): void {
  expect(actual.severity, actual.message).toBe(want.severity);
  if (want.layer !== undefined) expect(actual.layer).toBe(want.layer);
  if (typeof want.steps === 'function') expect(want.steps(actual.steps), `steps ${JSON.stringify(actual.steps)}`).toBe(true);
  else if (want.steps !== undefined) expect(actual.steps).toEqual(want.steps);
  if (want.message) expect(actual.message).toMatch(want.message);
  for (const [key, m] of Object.entries(want.evidence ?? {})) {
    const value = actual.evidence[key];
    if (typeof m === 'function') expect(m(value), `evidence.${key} = ${JSON.stringify(value)}`).toBe(true);
    else expect(value, `evidence.${key}`).toEqual(m);
  }
  expect(actual.actions.length).toBeGreaterThan(0);
}

/**
 * Declares the table's tests.
 * @example
 * ruleTable(c3Overfitting, { valid: [{ name: 'healthy', run }], invalid: [{ name: 'overfits', run, findings: [{ severity: 'warning' }] }] });
 */
export function ruleTable(check: Check, table: { valid: readonly ValidCase[]; invalid: readonly InvalidCase[] }): void {
  describe(`${check.id} ${check.title}`, () => {
    describe('valid', () => {
      for (const c of table.valid) {
        it(c.name, () => {
          const loud = runCheck(check, c).filter((f) => f.severity !== 'info');
          expect(loud.map((f) => f.message)).toEqual([]);
        });
      }
    });
    describe('invalid', () => {
      for (const c of table.invalid) {
        it(c.name, () => {
          const found = runCheck(check, c);
          expect(found.map((f) => `${f.severity}: ${f.message}`)).toHaveLength(c.findings.length);
          c.findings.forEach((want, i) => {
            const f = found[i] as Finding;
            expect(f.check).toBe(check.id);
            matchFinding(f, want);
          });
        });
      }
    });
  });
}

/**
 * Predicate helpers for evidence.
 * @example
 * { evidence: { ratio: gte(100), share: between(0.4, 0.5) } }
 */
export const gte = (x: number) => (v: unknown): boolean => typeof v === 'number' && v >= x;
export const lte = (x: number) => (v: unknown): boolean => typeof v === 'number' && v <= x;
export const between = (lo: number, hi: number) => (v: unknown): boolean => typeof v === 'number' && v >= lo && v <= hi;
