/**
 * Shared reading of a diagnosis for the text and markdown reports: counts, worst severity, run order.
 */
import type { RunReport } from '../diagnose/diagnose.js';
import type { Diagnosis } from '../diagnose/diagnose-paths.js';
import type { Finding, Severity } from '../findings/finding.js';
import { severityRank } from '../findings/finding.js';

/** Counts of findings by severity. */
export type SeverityCounts = Record<Severity, number>;

/**
 * Counts findings by severity, leaving out "too little data" notes.
 * @example
 * countFindings(diagnosis.runs).error
 */
export function countFindings(runs: readonly RunReport[]): SeverityCounts {
  const counts: SeverityCounts = { error: 0, warning: 0, info: 0 };
  for (const r of runs) for (const f of r.findings) if (!isTooLittleData(f)) counts[f.severity]++;
  return counts;
}

/**
 * Whether a finding only says the check had too little data to judge.
 * @example
 * isTooLittleData(finding) // true for `tooLittleData(...)` findings
 */
export function isTooLittleData(f: Finding): boolean {
  return f.evidence['insufficientData'] === true;
}

/**
 * The worst severity among a run's findings, or null when it has none (ignoring too-little-data notes).
 * @example
 * worstSeverity(run) // 'error'
 */
export function worstSeverity(run: RunReport): Severity | null {
  let worst: Severity | null = null;
  for (const f of run.findings) {
    if (isTooLittleData(f)) continue;
    if (worst === null || severityRank(f.severity) > severityRank(worst)) worst = f.severity;
  }
  return worst;
}

/**
 * Runs worst first, then by id.
 * @example
 * for (const run of runsWorstFirst(diagnosis)) ...
 */
export function runsWorstFirst(diagnosis: Diagnosis): RunReport[] {
  const rank = (r: RunReport): number => {
    const w = worstSeverity(r);
    return w === null ? -1 : severityRank(w);
  };
  return [...diagnosis.runs].sort((a, b) => rank(b) - rank(a) || a.run.localeCompare(b.run, 'en', { numeric: true }));
}

/**
 * The step range of a finding in words, in the unit of its curve.
 * @example
 * describeSteps([10, 20]) // 'steps 10-20'
 */
export function describeSteps(steps: Finding['steps'], unit = 'step'): string {
  if (!steps) return '';
  const [a, b] = steps;
  return a === b ? `${unit} ${a}` : `${unit}s ${a}-${b}`;
}
