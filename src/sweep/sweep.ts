/**
 * A sweep at a glance: many runs summed up by health, their findings grouped by check across runs,
 * and for each finding shared by part of the sweep the parameter values that go with it. Pure: it
 * reads run reports and returns plain data (the `sweep` object of the JSON report).
 */
import type { RunReport } from '../diagnose/diagnose.js';
import type { Finding, Severity } from '../findings/finding.js';
import { severityRank } from '../findings/finding.js';
import { isTooLittleData, worstSeverity } from '../report/summary.js';
import type { RunParams } from './params.js';
import { differingParams } from './params.js';
import type { ParamSplit } from './splits.js';
import { findSplits } from './splits.js';

/** A run's health: its worst finding's severity, or `ok`. */
export type Health = Severity | 'ok';

/** How many runs, findings and input problems a sweep has. */
export interface SweepCounts {
  readonly runs: number;
  /** Runs by their worst finding ("too little data" notes do not count). */
  readonly runsByHealth: Readonly<Record<Health, number>>;
  /** Findings by severity ("too little data" notes do not count). */
  readonly findings: Readonly<Record<Severity, number>>;
  /** Input problems: files not read, or read only in part. */
  readonly problems: number;
}

/** One check's findings across the sweep. */
export interface SweepGroup {
  readonly check: string;
  readonly title: string;
  /** The worst severity among the group's findings. */
  readonly severity: Severity;
  /** The runs with this finding (ids), worst first. */
  readonly runs: readonly string[];
  /** The parameter values that separate these runs from the others, when the split is clean. */
  readonly splits: readonly ParamSplit[];
}

/** The `sweep` object of the JSON report. */
export interface Sweep {
  readonly counts: SweepCounts;
  /** Parameters that differ between runs, recorded by the most runs first. */
  readonly params: readonly string[];
  /** Findings by check: errors first, then by number of runs. */
  readonly groups: readonly SweepGroup[];
}

/** The findings of a run that say something (no "too little data" notes). */
export function realFindings(run: RunReport): Finding[] {
  return run.findings.filter((f) => !isTooLittleData(f));
}

/**
 * A run's health: its worst finding's severity, or `ok`.
 * @example
 * health(run) // 'warning'
 */
export function health(run: RunReport): Health {
  return worstSeverity(run) ?? 'ok';
}

const healthRank = (h: Health): number => (h === 'ok' ? -1 : severityRank(h));

/**
 * Runs worst first: by health, then by how many warnings and errors, then by their worst check, then by id.
 * @example
 * sweepOrder(diagnosis.runs)[0] // the run most in need of a look
 */
export function sweepOrder(runs: readonly RunReport[]): RunReport[] {
  const key = new Map(
    runs.map((r) => {
      const real = realFindings(r);
      return [r, { rank: healthRank(health(r)), serious: real.filter((f) => f.severity !== 'info').length, check: real[0]?.check ?? '' }] as const;
    }),
  );
  return [...runs].sort((a, b) => {
    const ka = key.get(a) as { rank: number; serious: number; check: string };
    const kb = key.get(b) as { rank: number; serious: number; check: string };
    return (
      kb.rank - ka.rank ||
      kb.serious - ka.serious ||
      ka.check.localeCompare(kb.check, 'en', { numeric: true }) ||
      a.run.localeCompare(b.run, 'en', { numeric: true })
    );
  });
}

/**
 * Sums up a set of runs as a sweep.
 * @example
 * const sweep = buildSweep(diagnosis.runs, diagnosis.problems.length);
 * sweep.groups[0] // { check: 'C1', title: 'Not learning', severity: 'warning', runs: [...14 ids], splits: [...] }
 */
export function buildSweep(runs: readonly RunReport[], problems: number): Sweep {
  const runsByHealth: Record<Health, number> = { error: 0, warning: 0, info: 0, ok: 0 };
  const findings: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  const ordered = sweepOrder(runs);
  const groups = new Map<string, { title: string; severity: Severity; runs: string[] }>();
  for (const run of ordered) {
    runsByHealth[health(run)]++;
    for (const f of realFindings(run)) {
      findings[f.severity]++;
      let g = groups.get(f.check);
      if (!g) {
        g = { title: f.title, severity: f.severity, runs: [] };
        groups.set(f.check, g);
      }
      if (severityRank(f.severity) > severityRank(g.severity)) g.severity = f.severity;
      if (g.runs[g.runs.length - 1] !== run.run) g.runs.push(run.run);
    }
  }
  const params: RunParams[] = runs.map((r) => r.params ?? {});
  const out: SweepGroup[] = [...groups.entries()].map(([check, g]) => {
    const members = new Set(g.runs);
    const splits = members.size < runs.length ? findSplits(runs.map((r, i) => ({ params: params[i] as RunParams, hasFinding: members.has(r.run) }))) : [];
    return { check, title: g.title, severity: g.severity, runs: g.runs, splits };
  });
  out.sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || b.runs.length - a.runs.length || a.check.localeCompare(b.check, 'en', { numeric: true }),
  );
  return {
    counts: { runs: runs.length, runsByHealth, findings, problems },
    params: differingParams(params),
    groups: out,
  };
}
