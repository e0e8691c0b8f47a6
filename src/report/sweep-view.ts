/**
 * What the text and markdown sweep reports show, computed once: runs worst first with short names,
 * the parameters that differ, and per check the runs, the explanation, the next actions (said once)
 * and the parameter splits in words.
 */
import { checks } from '../checks/index.js';
import type { RunReport } from '../diagnose/diagnose.js';
import type { Diagnosis } from '../diagnose/diagnose-paths.js';
import type { Finding } from '../findings/finding.js';
import { commonDir, shortNames } from '../sweep/names.js';
import type { ParamValue } from '../sweep/params.js';
import { describeSplit } from '../sweep/splits.js';
import type { Health, Sweep, SweepGroup } from '../sweep/sweep.js';
import { buildSweep, health, realFindings, sweepOrder } from '../sweep/sweep.js';
import { formatNumber } from './format-number.js';
import { printable } from './printable.js';

/**
 * The report shows the sweep view (instead of one section per run) for more than this many runs
 * (`--summary` / `--details` force either way).
 */
export const SWEEP_THRESHOLD = 5;
/**
 * Runs shown in full below the sweep view: of the runs with errors or warnings, worst first, the first
 * run of each different worst finding, then the next worst, up to this many.
 */
export const DETAILED_RUNS = 3;
/** Next actions listed per check at most. */
const MAX_ACTIONS = 8;

/** Which report: the sweep view above {@link SWEEP_THRESHOLD} runs (`auto`), or forced. */
export type ReportView = 'auto' | 'summary' | 'details';

/** One run's row in a check's group: its first finding of that check, and how many more it has. */
export interface GroupRow {
  readonly run: RunReport;
  readonly finding: Finding;
  readonly more: number;
}

/** A next action of a check, said once; `from` names the run whose numbers it shows when they differ per run. */
export interface GroupAction {
  readonly text: string;
  readonly from: string | null;
}

/** One check across the sweep, ready to render. */
export interface GroupView {
  readonly group: SweepGroup;
  /** The check's catalogue description, or null for an unknown id. */
  readonly description: string | null;
  readonly rows: readonly GroupRow[];
  readonly actions: readonly GroupAction[];
  /** The clean parameter splits in words. */
  readonly splits: readonly string[];
}

/** Everything a sweep report shows. */
export interface SweepView {
  /** The diagnosis with every string made printable. */
  readonly diagnosis: Diagnosis;
  readonly sweep: Sweep;
  /** Runs worst first. */
  readonly order: readonly RunReport[];
  /** Short name of a run id. */
  readonly name: (id: string) => string;
  /** The directory all runs lie under (`''` when none). */
  readonly under: string;
  /** Parameter columns: those in a reported split first, then the others that differ. */
  readonly params: readonly string[];
  readonly groups: readonly GroupView[];
  /** The worst few runs (errors and warnings only; see {@link DETAILED_RUNS}), to show in full. */
  readonly detailed: readonly RunReport[];
}

/**
 * Whether a report of `runs` runs uses the sweep view.
 * @example
 * useSweepView(84, 'auto') // true
 * useSweepView(84, 'details') // false
 */
export function useSweepView(runs: number, view: ReportView): boolean {
  return view === 'summary' || (view === 'auto' && runs > SWEEP_THRESHOLD);
}

/**
 * A parameter value for a table cell.
 * @example
 * paramCell(0.000123456) // '1.235e-4'
 */
export function paramCell(v: ParamValue | undefined): string {
  if (v === undefined) return '—';
  return typeof v === 'number' ? formatNumber(v) : String(v);
}

/**
 * Computes the sweep view of a diagnosis (strings made printable first).
 * @example
 * const view = sweepView(diagnosis);
 * view.groups[0]?.splits[0] // 'all 6 runs with lr >= 0.01 have C2; none of the 20 ...'
 */
export function sweepView(diagnosisIn: Diagnosis): SweepView {
  const diagnosis = printable(diagnosisIn);
  const sweep = buildSweep(diagnosis.runs, diagnosis.problems.length);
  const ids = diagnosis.runs.map((r) => r.run);
  const names = shortNames(ids);
  const name = (id: string): string => names.get(id) ?? id;
  const byId = new Map(diagnosis.runs.map((r) => [r.run, r]));
  const order = sweepOrder(diagnosis.runs);
  const inSplits = new Set(sweep.groups.flatMap((g) => g.splits.flatMap((s) => [s.param, ...s.sameAs])));
  const params = [...sweep.params.filter((p) => inSplits.has(p)), ...sweep.params.filter((p) => !inSplits.has(p))];
  const groups = sweep.groups.map((group): GroupView => {
    const rows: GroupRow[] = [];
    for (const id of group.runs) {
      const run = byId.get(id);
      if (!run) continue;
      const mine = realFindings(run).filter((f) => f.check === group.check);
      if (mine[0]) rows.push({ run, finding: mine[0], more: mine.length - 1 });
    }
    return {
      group,
      description: checks.find((c) => c.id === group.check)?.description ?? null,
      rows,
      actions: sharedActions(rows, name),
      splits: group.splits.map((s) => describeSplit(s, group.check, paramCell)),
    };
  });
  const bad = (h: Health): boolean => h === 'error' || h === 'warning';
  return {
    diagnosis,
    sweep,
    order,
    name,
    under: commonDir(ids),
    params,
    groups,
    detailed: worstFew(order.filter((r) => bad(health(r)))),
  };
}

/** The worst few of `bad` (already worst first), one per worst check before any second of a check. */
function worstFew(bad: readonly RunReport[]): RunReport[] {
  const picked: RunReport[] = [];
  const checksSeen = new Set<string>();
  for (const run of bad) {
    const check = realFindings(run)[0]?.check ?? '';
    if (picked.length < DETAILED_RUNS && !checksSeen.has(check)) {
      picked.push(run);
      checksSeen.add(check);
    }
  }
  for (const run of bad) if (picked.length < DETAILED_RUNS && !picked.includes(run)) picked.push(run);
  return bad.filter((r) => picked.includes(r));
}

const NUMBER = /[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi;

/**
 * The next actions of a check's findings, each said once: actions that differ only in their numbers
 * (a checkpoint step, a measured level) are one action, shown with the numbers of the first run.
 */
function sharedActions(rows: readonly GroupRow[], name: (id: string) => string): GroupAction[] {
  const byTemplate = new Map<string, { text: string; from: string; varies: boolean }>();
  for (const row of rows) {
    for (const text of row.finding.actions) {
      const key = text.replace(NUMBER, '#');
      const seen = byTemplate.get(key);
      if (!seen) byTemplate.set(key, { text, from: name(row.run.run), varies: false });
      else if (seen.text !== text) seen.varies = true;
    }
  }
  return [...byTemplate.values()].slice(0, MAX_ACTIONS).map((a) => ({ text: a.text, from: a.varies ? a.from : null }));
}
