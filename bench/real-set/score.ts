/**
 * Scores a diagnosis of the hand-labelled real set against its labels, with the rules the issue
 * states (and the project is judged by):
 * - a finding whose evidence says `insufficientData` is no verdict; any other finding, at any
 *   severity, is the check firing on that run;
 * - a `must` item is met by its check or any id of its `anyOf`, and with `layer` only by a finding
 *   naming that layer; a label whose files yield no run misses all its `must` items;
 * - a false alarm is a check of `mustNot` that fires; `unsure` checks are not scored;
 * - precision: of the fired (run, check) pairs, the share a `must` item calls for (its check or an
 *   `anyOf` id) or that the label leaves `unsure`.
 */
import { relative, sep } from 'node:path';
import type { Diagnosis } from '../../src/diagnose/diagnose-paths.js';
import type { RunReport } from '../../src/diagnose/diagnose.js';
import { isTooLittleData } from '../../src/report/summary.js';
import type { FormatFamily, PlacedLabel, RealPart } from './labels.js';

/** What happened on one labelled run. */
export interface RunOutcome {
  readonly path: string;
  readonly repo: string;
  readonly family: FormatFamily;
  readonly part: RealPart;
  /** Runs of the diagnosis matched to the label (0: nothing was read). */
  readonly runs: number;
  /** Checks that fired (with a verdict). */
  readonly fired: readonly string[];
  /** `must` items met / missed, as `C3` or `C1|C10`. */
  readonly met: readonly string[];
  readonly missed: readonly string[];
  /** `mustNot` checks that fired. */
  readonly falseAlarms: readonly string[];
  /** Fired checks neither called for nor `unsure` (they cost precision). */
  readonly unasked: readonly string[];
}

/** Counts behind one row of the quality table. */
export interface Tally {
  readonly must: number;
  readonly met: number;
  readonly mustNot: number;
  readonly falseAlarms: number;
  readonly firedPairs: number;
  readonly goodPairs: number;
  readonly recall: number | null;
  readonly falseAlarmRate: number | null;
  readonly precision: number | null;
  /** `path: check` for every miss, false alarm and unasked finding. */
  readonly missedRuns: readonly string[];
  readonly falseAlarmRuns: readonly string[];
  readonly unaskedRuns: readonly string[];
}

/** The whole score of one selection of labels. */
export interface RealScore {
  readonly labels: number;
  /** Labels from whose files no run was read. */
  readonly unread: readonly string[];
  readonly total: Tally;
  readonly byCheck: Readonly<Record<string, Tally>>;
  readonly byFamily: Readonly<Record<string, Tally>>;
  readonly outcomes: readonly RunOutcome[];
}

const posix = (p: string): string => p.split(sep).join('/');

/** The runs of the diagnosis that belong to a label: the label's path is the run, or holds every file of it. */
function runsOf(label: PlacedLabel, reports: ReadonlyArray<{ report: RunReport; id: string; files: string[] }>): RunReport[] {
  const p = label.path;
  const inside = (f: string): boolean => f === p || f.startsWith(`${p}/`);
  return reports.filter((r) => r.id === p || (r.files.length > 0 && r.files.every(inside))).map((r) => r.report);
}

function outcome(label: PlacedLabel, runs: readonly RunReport[]): RunOutcome {
  const findings = runs.flatMap((r) => r.findings).filter((f) => !isTooLittleData(f));
  const fired = [...new Set(findings.map((f) => f.check))].sort();
  const met: string[] = [];
  const missed: string[] = [];
  const called = new Set<string>();
  for (const item of label.must) {
    const ids = [item.check, ...(item.anyOf ?? [])];
    ids.forEach((id) => called.add(id));
    const hit = findings.some((f) => ids.includes(f.check) && (item.layer === undefined || f.layer === item.layer));
    (hit ? met : missed).push(ids.join('|'));
  }
  const falseAlarms = label.mustNot.filter((c) => fired.includes(c));
  const unasked = fired.filter((c) => !called.has(c) && !label.unsure.includes(c));
  return { path: label.path, repo: label.repo, family: label.family, part: label.part, runs: runs.length, fired, met, missed, falseAlarms, unasked };
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

function tally(outcomes: readonly RunOutcome[], labels: ReadonlyMap<string, PlacedLabel>, check?: string): Tally {
  let must = 0, met = 0, mustNot = 0, falseAlarms = 0, firedPairs = 0, goodPairs = 0;
  const missedRuns: string[] = [], falseAlarmRuns: string[] = [], unaskedRuns: string[] = [];
  const mine = (ids: string): boolean => check === undefined || ids.split('|')[0] === check;
  for (const o of outcomes) {
    const label = labels.get(o.path) as PlacedLabel;
    for (const m of o.met) if (mine(m)) { must++; met++; }
    for (const m of o.missed) if (mine(m)) { must++; missedRuns.push(`${o.path}: ${m}`); }
    for (const c of label.mustNot) {
      if (check !== undefined && c !== check) continue;
      mustNot++;
      if (o.falseAlarms.includes(c)) { falseAlarms++; falseAlarmRuns.push(`${o.path}: ${c}`); }
    }
    for (const c of o.fired) {
      if (check !== undefined && c !== check) continue;
      firedPairs++;
      if (o.unasked.includes(c)) {
        if (!label.mustNot.includes(c)) unaskedRuns.push(`${o.path}: ${c}`);
      } else goodPairs++;
    }
  }
  return {
    must, met, mustNot, falseAlarms, firedPairs, goodPairs,
    recall: ratio(met, must), falseAlarmRate: ratio(falseAlarms, mustNot), precision: ratio(goodPairs, firedPairs),
    missedRuns, falseAlarmRuns, unaskedRuns,
  };
}

/**
 * Scores `diagnosis` (of the set's root, or of paths inside it) against `labels`.
 * @example
 * const score = scoreRealSet(labels, await diagnosePaths([root]), root);
 * score.total.recall // 0.58
 */
export function scoreRealSet(labels: readonly PlacedLabel[], diagnosis: Diagnosis, root: string): RealScore {
  const reports = diagnosis.runs.map((report) => ({ report, id: posix(relative(root, report.run)), files: report.files.map((f) => posix(relative(root, f))) }));
  const outcomes = labels.map((l) => outcome(l, runsOf(l, reports)));
  const byPath = new Map(labels.map((l) => [l.path, l]));
  const checks = [...new Set(labels.flatMap((l) => [...l.must.map((m) => m.check), ...l.mustNot]).concat(outcomes.flatMap((o) => o.fired)))]
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const families = [...new Set(labels.map((l) => l.family))].sort();
  return {
    labels: labels.length,
    unread: outcomes.filter((o) => o.runs === 0).map((o) => o.path),
    total: tally(outcomes, byPath),
    byCheck: Object.fromEntries(checks.map((c) => [c, tally(outcomes, byPath, c)])),
    byFamily: Object.fromEntries(families.map((f) => [f, tally(outcomes.filter((o) => o.family === f), byPath)])),
    outcomes,
  };
}

const num = (x: number | null, digits = 2): string => (x === null ? '-' : x.toFixed(digits));
const pct = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);

/**
 * The score as Markdown tables: the totals, then per check and per format family.
 * @example
 * process.stdout.write(formatRealScore('all', score));
 */
export function formatRealScore(title: string, s: RealScore): string {
  const row = (name: string, t: Tally): string =>
    `| ${name} | ${t.met}/${t.must} | ${num(t.recall)} | ${t.falseAlarms}/${t.mustNot} | ${pct(t.falseAlarmRate)} | ${t.goodPairs}/${t.firedPairs} | ${num(t.precision)} |`;
  const head = ['| | must met | recall | false alarms / mustNot | false-alarm rate | fired pairs called for or unsure | precision |', '|---|---|---|---|---|---|---|'];
  const out = [`### ${title}: ${s.labels} labelled runs, ${s.labels - s.unread.length} read`, '', ...head, row('**all**', s.total), ''];
  out.push(...head.map((h, i) => (i === 0 ? h.replace('| |', '| check |') : h)));
  for (const [c, t] of Object.entries(s.byCheck)) out.push(row(c, t));
  out.push('', ...head.map((h, i) => (i === 0 ? h.replace('| |', '| format |') : h)));
  for (const [f, t] of Object.entries(s.byFamily)) out.push(row(f, t));
  if (s.unread.length) out.push('', `Labelled runs from which no run was read: ${s.unread.join(', ')}`);
  return `${out.join('\n')}\n`;
}

/**
 * The runs behind every miss, false alarm and unasked finding, one per line.
 * @example
 * process.stdout.write(formatRealMisses(score));
 */
export function formatRealMisses(s: RealScore): string {
  const t = s.total;
  const lines = [
    ...t.missedRuns.map((r) => `missed       ${r}`),
    ...t.falseAlarmRuns.map((r) => `false alarm  ${r}`),
    ...t.unaskedRuns.map((r) => `not called   ${r}`),
  ];
  return lines.length ? `${lines.join('\n')}\n` : '';
}
