/**
 * Findings: what a check says about a run. Plain data, serialised as-is into the JSON report.
 */

/** `error` = training is broken, `warning` = likely wasting time or accuracy, `info` = worth knowing. */
export type Severity = 'error' | 'warning' | 'info';

/** Measured numbers (and the thresholds they were compared with) behind a finding. */
export type Evidence = Record<string, number | string | boolean | null | readonly number[]>;

/** One diagnosis, with its evidence and what to do next. */
export interface Finding {
  /** Catalogue id from CHECKS.md, e.g. `C3`. */
  readonly check: string;
  readonly severity: Severity;
  readonly title: string;
  /** One line: what was measured and what it means. */
  readonly message: string;
  /** The series tags concerned. */
  readonly tags: readonly string[];
  /** The layer concerned, or `null` for run-level findings. */
  readonly layer: string | null;
  /** Inclusive step range `[from, to]` the finding concerns, or `null`. */
  readonly steps: readonly [number, number] | null;
  /** Measured numbers next to their thresholds; `NaN`/`Infinity` are written as strings in JSON. */
  readonly evidence: Evidence;
  /** Concrete next actions. */
  readonly actions: readonly string[];
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/**
 * Orders severities: `severityRank('error') > severityRank('warning')`.
 * @example
 * findings.filter((f) => severityRank(f.severity) >= severityRank('warning'))
 */
export function severityRank(severity: Severity): number {
  return RANK[severity];
}

/**
 * Sorts findings worst first, then by check id, then by first step.
 * @example
 * const ordered = sortFindings(findings);
 */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      a.check.localeCompare(b.check, 'en', { numeric: true }) ||
      (a.steps?.[0] ?? -1) - (b.steps?.[0] ?? -1) ||
      (a.layer ?? '').localeCompare(b.layer ?? ''),
  );
}
