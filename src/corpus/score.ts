/**
 * The scorer: compares a diagnosis of the corpus with its labels. Per labelled check: precision,
 * recall and (live checks) detection delay; per fault class: recall; on healthy runs: error-level
 * false alarms; for fatal symptoms (NaN, divergence, dead network): detection within 20% of the run.
 * A check "fires" on a run when it reports a finding at `warning` or `error`; `info` does not count.
 */
import type { Diagnosis } from '../diagnose/diagnose-paths.js';
import { faults as registry } from '../faults/index.js';
import type { Finding } from '../findings/finding.js';
import { LABELLED_CHECKS } from './labeller.js';
import type { CorpusLabels, LabelledRun } from './labels.js';
import type { CorpusSplit } from './plan.js';

/** Scores of one check on one split. */
export interface CheckScore {
  readonly check: string;
  readonly tp: number;
  readonly fn: number;
  readonly fp: number;
  readonly tn: number;
  /** `null` when the check never fired on a labelled run (no precision to speak of). */
  readonly precision: number | null;
  /** `null` when no run must fire it. */
  readonly recall: number | null;
  /** Live detection delay (first live alert step minus onset) over detected `must` runs, or null. */
  readonly medianDelay: number | null;
  readonly maxDelay: number | null;
  /** Runs (dirs) it missed and runs it fired on wrongly, for check owners. */
  readonly missed: readonly string[];
  readonly falseAlarms: readonly string[];
}

/** Recall of one fault class (runs of that fault whose telemetry shows a labelled symptom). */
export interface FaultScore {
  readonly fault: string;
  /** The fault's catalogue severity is `error` for at least one of its checks. */
  readonly errorLevel: boolean;
  readonly runs: number;
  /** Runs with at least one `must` label. */
  readonly symptomatic: number;
  /** Symptomatic runs where at least one `must` check fired. */
  readonly detected: number;
  readonly recall: number | null;
}

/** A fatal symptom and when the live doctor reported it. */
export interface FatalScore {
  readonly dir: string;
  readonly kind: 'nan' | 'divergence' | 'dead';
  readonly onset: number;
  /** First live alert step of a check naming it (T1/C6, C2, T5), or null. */
  readonly detectedAt: number | null;
  readonly steps: number;
  /** `(detectedAt - onset) / steps <= 0.2`. */
  readonly within20: boolean;
}

/** Everything measured on one split. */
export interface SplitScore {
  readonly split: CorpusSplit;
  readonly runs: number;
  readonly healthyRuns: number;
  readonly checks: readonly CheckScore[];
  readonly faults: readonly FaultScore[];
  readonly fatal: readonly FatalScore[];
  /** Error-level findings on healthy runs: `dir: check`. */
  readonly healthyErrors: readonly string[];
  /**
   * Error-level alerts the doctor raised live on healthy runs while they trained (`dir: check@step`):
   * each would have stopped a healthy run under `stopOn: 'error'` / `watch --stop-on error`.
   */
  readonly healthyLiveErrors: readonly string[];
  /** Warnings on healthy runs per check (not a target; context). */
  readonly healthyWarnings: Readonly<Record<string, number>>;
  /** Runs of the split the diagnosis did not report (unreadable or empty). */
  readonly unmatched: readonly string[];
}

/** The whole quality report. */
export interface QualityReport {
  readonly splits: readonly SplitScore[];
}

const fires = (f: Finding): boolean => f.severity === 'warning' || f.severity === 'error';

/** Findings of the diagnosis per labelled run dir (a report belongs to the run dir named in its files). */
function findingsByDir(labels: CorpusLabels, diagnosis: Diagnosis): Map<string, readonly Finding[]> {
  const dirs = new Set(labels.runs.map((r) => r.dir));
  const out = new Map<string, readonly Finding[]>();
  for (const report of diagnosis.runs) {
    const parts = [...report.files, report.run].flatMap((p) => p.split(/[\\/]/));
    const dir = parts.find((p) => dirs.has(p));
    if (dir !== undefined) out.set(dir, [...(out.get(dir) ?? []), ...report.findings]);
  }
  return out;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}

function firstLive(run: LabelledRun, checks: readonly string[]): number | null {
  const steps = run.live.filter((a) => checks.includes(a.check) && (a.severity === 'warning' || a.severity === 'error')).map((a) => a.step);
  return steps.length === 0 ? null : Math.min(...steps);
}

function scoreSplit(split: CorpusSplit, runs: readonly LabelledRun[], found: Map<string, readonly Finding[]>): SplitScore {
  const unmatched = runs.filter((r) => !found.has(r.dir)).map((r) => r.dir);
  const fired = (r: LabelledRun, check: string): boolean => (found.get(r.dir) ?? []).some((f) => f.check === check && fires(f));
  const checks: CheckScore[] = LABELLED_CHECKS.map((check) => {
    let tp = 0, fn = 0, fp = 0, tn = 0;
    const missed: string[] = [];
    const falseAlarms: string[] = [];
    const delays: number[] = [];
    for (const r of runs) {
      const label = r.labels[check];
      if (!label || label.expect === 'either') continue;
      const hit = fired(r, check);
      if (label.expect === 'must') {
        if (hit) tp++;
        else { fn++; missed.push(r.dir); }
        const at = check.startsWith('T') && r.format === 'tensorboard' ? firstLive(r, [check]) : null;
        if (at !== null && label.onset !== null) delays.push(at - label.onset);
      } else if (hit) { fp++; falseAlarms.push(r.dir); }
      else tn++;
    }
    return { check, tp, fn, fp, tn, precision: ratio(tp, tp + fp), recall: ratio(tp, tp + fn), medianDelay: median(delays), maxDelay: delays.length ? Math.max(...delays) : null, missed, falseAlarms };
  });
  const faultIds = [...new Set(runs.map((r) => r.fault).filter((f): f is string => f !== null))].sort();
  const faults: FaultScore[] = faultIds.map((fault) => {
    const of = runs.filter((r) => r.fault === fault);
    const symptomatic = of.filter((r) => Object.values(r.labels).some((l) => l.expect === 'must'));
    const detected = symptomatic.filter((r) => Object.entries(r.labels).some(([c, l]) => l.expect === 'must' && fired(r, c)));
    const errorLevel = Object.values(registry.find((f) => f.id === fault)?.severity ?? {}).includes('error');
    return { fault, errorLevel, runs: of.length, symptomatic: symptomatic.length, detected: detected.length, recall: ratio(detected.length, symptomatic.length) };
  });
  const fatal: FatalScore[] = [];
  for (const r of runs.filter((x) => x.format === 'tensorboard')) {
    const kinds: Array<[FatalScore['kind'], string, readonly string[]]> = [['nan', 'T1', ['T1', 'C6']], ['divergence', 'C2', ['C2']], ['dead', 'T5', ['T5']]];
    for (const [kind, labelId, named] of kinds) {
      const label = r.labels[labelId];
      if (label?.expect !== 'must' || label.onset === null || (kind === 'divergence' && label.fatal !== true)) continue;
      const at = firstLive(r, named);
      fatal.push({ dir: r.dir, kind, onset: label.onset, detectedAt: at, steps: r.steps, within20: at !== null && (at - label.onset) / Math.max(1, r.steps) <= 0.2 });
    }
  }
  const healthy = runs.filter((r) => r.healthy);
  const healthyErrors = healthy.flatMap((r) => (found.get(r.dir) ?? []).filter((f) => f.severity === 'error').map((f) => `${r.dir}: ${f.check}`));
  const healthyWarnings: Record<string, number> = {};
  for (const r of healthy) for (const c of new Set((found.get(r.dir) ?? []).filter((f) => f.severity === 'warning').map((f) => f.check))) healthyWarnings[c] = (healthyWarnings[c] ?? 0) + 1;
  const healthyLiveErrors = healthy.flatMap((r) => r.live.filter((a) => a.severity === 'error').map((a) => `${r.dir}: ${a.check}@${a.step}`));
  return { split, runs: runs.length, healthyRuns: healthy.length, checks, faults, fatal, healthyErrors, healthyLiveErrors, healthyWarnings, unmatched };
}

/**
 * Scores a diagnosis of the corpus against its labels, split by split.
 * @example
 * const report = scoreCorpus(labels, await diagnosePaths(['corpus']));
 * report.splits.find((s) => s.split === 'test')?.checks.find((c) => c.check === 'C6')?.recall // 1
 */
export function scoreCorpus(labels: CorpusLabels, diagnosis: Diagnosis): QualityReport {
  const found = findingsByDir(labels, diagnosis);
  const splits: CorpusSplit[] = ['tuning', 'test'];
  return { splits: splits.map((s) => scoreSplit(s, labels.runs.filter((r) => r.split === s), found)) };
}

const pct = (x: number | null): string => (x === null ? '-' : x.toFixed(2));

/**
 * The report as Markdown tables (one block per split), as printed by `npm run bench:quality`.
 * @example
 * process.stdout.write(formatQuality(scoreCorpus(labels, diagnosis)));
 */
export function formatQuality(report: QualityReport): string {
  const out: string[] = [];
  for (const s of report.splits) {
    out.push(`### ${s.split} part: ${s.runs} labelled runs, ${s.healthyRuns} healthy`, '');
    out.push('| check | must fire | fired (TP) | missed (FN) | false alarms (FP) | precision | recall | live delay median / max (steps) |', '|---|---|---|---|---|---|---|---|');
    for (const c of s.checks) {
      out.push(`| ${c.check} | ${c.tp + c.fn} | ${c.tp} | ${c.fn} | ${c.fp} | ${pct(c.precision)} | ${pct(c.recall)} | ${c.medianDelay === null ? '-' : `${c.medianDelay} / ${c.maxDelay}`} |`);
    }
    out.push('', '| fault | error-level | runs | with symptom | detected | recall |', '|---|---|---|---|---|---|');
    for (const f of s.faults) out.push(`| ${f.fault} | ${f.errorLevel ? 'yes' : 'no'} | ${f.runs} | ${f.symptomatic} | ${f.detected} | ${pct(f.recall)} |`);
    const fatalOk = s.fatal.filter((f) => f.within20).length;
    out.push('', `Fatal symptoms found live within 20% of the run: ${fatalOk}/${s.fatal.length}` + (s.fatal.some((f) => !f.within20) ? ` (late or missed: ${s.fatal.filter((f) => !f.within20).map((f) => `${f.dir} ${f.kind} onset ${f.onset} found ${f.detectedAt ?? 'never'} of ${f.steps}`).join('; ')})` : ''));
    out.push(`Error-level findings on healthy runs: ${s.healthyErrors.length}` + (s.healthyErrors.length ? ` (${s.healthyErrors.join('; ')})` : ''));
    out.push(`Error-level live alerts on healthy runs (while training): ${s.healthyLiveErrors.length}` + (s.healthyLiveErrors.length ? ` (${s.healthyLiveErrors.join('; ')})` : ''));
    const warns = Object.entries(s.healthyWarnings).sort((a, b) => b[1] - a[1]);
    out.push(`Warnings on healthy runs (runs per check): ${warns.length ? warns.map(([c, n]) => `${c} ${n}`).join(', ') : 'none'}`);
    if (s.unmatched.length) out.push(`Runs the diagnosis did not report: ${s.unmatched.join(', ')}`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
