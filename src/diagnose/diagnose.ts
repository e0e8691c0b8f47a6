/**
 * The diagnosis engine: runs the check registry over runs and collects findings and problems.
 */
import type { Check } from '../checks/check.js';
import { checks as allChecks } from '../checks/index.js';
import type { Finding } from '../findings/finding.js';
import { sortFindings } from '../findings/finding.js';
import type { Problem } from '../formats/reader.js';
import type { Curves, CurveTags } from '../telemetry/curves.js';
import { resolveCurves } from '../telemetry/curves.js';
import type { Run } from '../telemetry/run.js';
import type { StepUnit } from '../telemetry/series.js';
import type { RunParams } from '../sweep/params.js';
import { paramsFromMeta } from '../sweep/params.js';

/** Which tag was used for each role (so users see what to pass to `--train-loss` etc.). */
export type CurveRoles = { readonly [K in keyof Curves]: string | null };

/** The diagnosis of one run: the `runs[]` entry of the JSON report. */
export interface RunReport {
  readonly run: string;
  readonly files: readonly string[];
  readonly format: string;
  /** Last step of the longest scalar series (in its own unit), or null when the run has no scalars. */
  readonly lastStep: number | null;
  /** Unit of the training-loss curve's steps (`epoch` for per-epoch logs): how to read `steps` in findings. */
  readonly unit: StepUnit;
  readonly curves: CurveRoles;
  /** Things said about the data rather than the training (restarts, missing curves). */
  readonly notes: readonly string[];
  /** Worst first. */
  readonly findings: readonly Finding[];
  /**
   * The run's hyper-parameters from its metadata (`hparams.yaml`, MLflow `params/`, TensorBoard
   * hparams, ...), plain JSON; `{}` when the logs have none. Always set by {@link diagnoseRun}.
   */
  readonly params?: RunParams;
  /** The last logged train and val loss (`null` when the curve is absent; `NaN` stays `NaN`). Always set by {@link diagnoseRun}. */
  readonly lastLoss?: { readonly train: number | null; readonly val: number | null };
}

/** Options shared by every way of running a diagnosis. */
export interface DiagnoseOptions {
  /** The checks to run (default: the whole registry). */
  readonly checks?: readonly Check[];
  /** Tags named explicitly, overriding the conventions. */
  readonly tags?: CurveTags;
}

/**
 * Selects checks by id: `only` keeps the listed ones, `skip` drops the listed ones.
 * Unknown ids are returned so callers can report them.
 * @example
 * selectChecks(checks, { skip: ['C4'] })
 */
export function selectChecks(
  registry: readonly Check[],
  { only, skip }: { only?: readonly string[]; skip?: readonly string[] },
): { checks: Check[]; unknown: string[] } {
  const ids = new Set(registry.map((c) => c.id.toUpperCase()));
  const norm = (xs: readonly string[] | undefined): string[] => (xs ?? []).map((x) => x.trim().toUpperCase()).filter((x) => x.length > 0);
  const o = norm(only);
  const s = norm(skip);
  const unknown = [...o, ...s].filter((id) => !ids.has(id));
  const selected = registry.filter((c) => (o.length === 0 || o.includes(c.id.toUpperCase())) && !s.includes(c.id.toUpperCase()));
  return { checks: selected, unknown };
}

/**
 * Diagnoses one run already in memory. A check that throws becomes a `check-failed` problem; the
 * other checks still run.
 * @example
 * const { report } = diagnoseRun(run);
 * report.findings[0]?.check // 'C6'
 */
export function diagnoseRun(run: Run, options: DiagnoseOptions = {}): { report: RunReport; problems: Problem[] } {
  const curves = resolveCurves(run, options.tags ?? {});
  const problems: Problem[] = [];
  const findings: Finding[] = [];
  for (const check of options.checks ?? allChecks) {
    try {
      findings.push(...check.run({ run, curves }));
    } catch (cause) {
      problems.push({ file: run.id, code: 'check-failed', message: `${check.id} failed on run ${run.id}: ${cause instanceof Error ? cause.message : String(cause)}` });
    }
  }
  const roles = Object.fromEntries(Object.entries(curves).map(([k, c]) => [k, c ? c.tag : null])) as unknown as CurveRoles;
  return {
    report: {
      run: run.id,
      files: [...run.files],
      format: run.format,
      lastStep: lastStep(run),
      unit: (curves.trainLoss ?? curves.valLoss)?.unit ?? 'step',
      curves: roles,
      notes: notes(curves, options.tags ?? {}),
      findings: sortFindings(findings),
      params: paramsFromMeta(run.meta),
      lastLoss: { train: lastValue(curves.trainLoss), val: lastValue(curves.valLoss) },
    },
    problems,
  };
}

/**
 * The last step of the run's longest scalar series (what a diagnosis reports as `lastStep`).
 * @example
 * lastStep(run) // 1499
 */
export function lastStep(run: Run): number | null {
  let best: number | null = null;
  let len = -1;
  for (const s of run.scalars.values()) {
    if (s.steps.length > len) {
      len = s.steps.length;
      best = s.steps.reduce((a, b) => Math.max(a, b), -Infinity);
    }
  }
  return best;
}

function lastValue(curve: Curves[keyof Curves]): number | null {
  return curve && curve.values.length > 0 ? (curve.values[curve.values.length - 1] as number) : null;
}

function notes(curves: Curves, tags: CurveTags): string[] {
  const out: string[] = [];
  for (const c of Object.values(curves) as Array<Curves[keyof Curves]>) {
    if (!c || c.restarts.length === 0) continue;
    const first = c.steps[0];
    if (first !== undefined && c.restarts.some((r) => r <= first)) {
      // Steps starting again from the beginning: another fit appended to the same log (Keras
      // CSVLogger(append=True), a second fit() in a notebook), not a resumed run and not a divergence.
      out.push(`${c.tag}: the log holds ${c.restarts.filter((r) => r <= first).length + 1} fits (the steps start again from ${first}); the last fit is diagnosed and the earlier ones are left out`);
    } else {
      out.push(`${c.tag}: the log restarts at step${c.restarts.length > 1 ? 's' : ''} ${c.restarts.join(', ')}; older points from there on were replaced by the newer ones (as TensorBoard does)`);
    }
  }
  if (!curves.trainLoss) out.push(`no training-loss curve found${tags.trainLoss ? ` (tag ${tags.trainLoss} is not in this run)` : ''}; name it with --train-loss <tag>`);
  else if (!curves.valLoss) out.push('no validation-loss curve: overfitting (C3) and validation checks cannot run; name it with --val-loss <tag> if it is logged');
  return out;
}
