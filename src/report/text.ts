/**
 * The terminal report: runs worst first, each finding with its evidence and next actions.
 * Colour only when asked (the CLI asks on a TTY).
 */
import { createColors } from 'picocolors';
import type { RunReport } from '../diagnose/diagnose.js';
import type { Diagnosis } from '../diagnose/diagnose-paths.js';
import type { Severity } from '../findings/finding.js';
import type { ParamValue, RunParams } from '../sweep/params.js';
import { differingParams } from '../sweep/params.js';
import { formatEvidence, formatNumber } from './format-number.js';
import { countFindings, describeSteps, isTooLittleData, runsWorstFirst, worstSeverity } from './summary.js';
import { printable } from './printable.js';

/** Options of {@link renderText}. */
export interface TextOptions {
  readonly color?: boolean;
  /** Also list runs with no findings and the "too little data" notes (default true). */
  readonly verbose?: boolean;
  /** Wrap messages and evidence at this many columns (default 100). */
  readonly width?: number;
}

/**
 * Greedy word wrap at `width` columns; continuation lines get `indent`.
 * @example
 * wrap('a long message', 8, '  ') // 'a long\n  message'
 */
export function wrap(text: string, width: number, indent: string): string {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line.length > 0 && indent.length + line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line.length > 0 ? `${line} ${w}` : w;
  }
  lines.push(line);
  return lines.join(`\n${indent}`);
}

const LABEL: Record<Severity, string> = { error: 'ERROR', warning: 'WARN ', info: 'info ' };
/** The health icons of the text reports. */
export const ICON: Record<Severity | 'ok', string> = { error: '✖', warning: '▲', info: '●', ok: '✔' };
/** Parameters listed per run when the report has one run (the rest are in the JSON report). */
const PARAMS_SHOWN = 8;

/** Paints text by health. */
export type Paint = Record<Severity | 'ok', (s: string) => string>;

/**
 * The parameters to show beside each run of a per-run report: those that differ between runs, or for
 * a single run its first few.
 * @example
 * paramsShown(diagnosis.runs) // ['lr', 'batch_size']
 */
export function paramsShown(runs: readonly RunReport[]): string[] {
  if (runs.length === 1) return Object.keys(runs[0]?.params ?? {});
  return differingParams(runs.map((r) => r.params ?? {}));
}

/**
 * A run's parameters as `k=v` pairs (`keys` in order; absent ones left out), at most `max` of them.
 * @example
 * paramsLine({ lr: 0.01, opt: 'sgd' }, ['lr', 'opt']) // 'lr=0.01, opt=sgd'
 */
export function paramsLine(params: RunParams, keys: readonly string[], max = PARAMS_SHOWN): string {
  const present = keys.filter((k) => params[k] !== undefined);
  const shown = present.slice(0, max).map((k) => `${k}=${formatParam(params[k] as ParamValue)}`);
  return shown.join(', ') + (present.length > max ? `, … ${present.length - max} more (--format json)` : '');
}

/**
 * A parameter value for people: numbers like evidence, text as it is.
 * @example
 * formatParam(0.000123456) // '1.235e-4'
 */
export function formatParam(v: ParamValue): string {
  return typeof v === 'number' ? formatNumber(v) : String(v);
}

/**
 * Renders a diagnosis for the terminal.
 * @example
 * process.stdout.write(renderText(diagnosis, { color: process.stdout.isTTY }));
 */
export function renderText(diagnosisIn: Diagnosis, options: TextOptions = {}): string {
  const diagnosis = printable(diagnosisIn);
  const c = createColors(options.color ?? false);
  const paint: Record<Severity | 'ok', (s: string) => string> = { error: c.red, warning: c.yellow, info: c.cyan, ok: c.green };
  const verbose = options.verbose ?? true;
  const counts = countFindings(diagnosis.runs);
  const keys = paramsShown(diagnosis.runs);
  const lines: string[] = [];
  lines.push(
    c.bold(`nndoctor: ${diagnosis.runs.length} run${diagnosis.runs.length === 1 ? '' : 's'}`) +
      ` · ${paint.error(`${counts.error} error${counts.error === 1 ? '' : 's'}`)}` +
      ` · ${paint.warning(`${counts.warning} warning${counts.warning === 1 ? '' : 's'}`)}` +
      ` · ${counts.info} info` +
      (diagnosis.problems.length > 0 ? ` · ${paint.warning(`${diagnosis.problems.length} input problem${diagnosis.problems.length === 1 ? '' : 's'}`)}` : ''),
  );
  for (const run of runsWorstFirst(diagnosis)) {
    const worst = worstSeverity(run);
    if (worst === null && !verbose) continue;
    lines.push('');
    lines.push(renderRun(run, c, paint, verbose, Math.max(60, options.width ?? 100), keys));
  }
  if (diagnosis.problems.length > 0) {
    lines.push('', c.bold(`Input problems (${diagnosis.problems.length}):`));
    for (const p of diagnosis.problems) lines.push(`  ${paint.warning(p.code)} ${p.message}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * One run of the per-run report: header, curves, parameters (`paramKeys`), notes, findings with
 * evidence and next actions. Strings must already be {@link printable}.
 * @example
 * renderRun(run, createColors(false), paint, true, 100, ['lr'])
 */
export function renderRun(
  run: RunReport,
  c: ReturnType<typeof createColors>,
  paint: Paint,
  verbose: boolean,
  width: number,
  paramKeys: readonly string[] = [],
): string {
  const worst = worstSeverity(run);
  const key = worst ?? 'ok';
  const out: string[] = [];
  const span = run.lastStep === null ? '' : `, ${run.unit === 'epoch' ? 'epochs' : 'steps'} to ${run.lastStep}`;
  out.push(`${paint[key](ICON[key])} ${c.bold(run.run)} ${c.dim(`(${run.format}${span})`)}`);
  const roles = [
    ['train loss', run.curves.trainLoss],
    ['val loss', run.curves.valLoss],
    ['metric', run.curves.trainMetric],
    ['val metric', run.curves.valMetric],
    ['lr', run.curves.lr],
  ].filter(([, tag]) => tag !== null);
  if (roles.length > 0) out.push(c.dim(`  curves: ${roles.map(([role, tag]) => `${role} = ${tag}`).join(', ')}`));
  const params = paramsLine(run.params ?? {}, paramKeys);
  if (params.length > 0) out.push(c.dim(`  ${wrap(`params: ${params}`, width, '    ')}`));
  for (const note of run.notes) out.push(c.dim(`  note: ${note}`));
  const real = run.findings.filter((f) => !isTooLittleData(f));
  if (real.length === 0) out.push(`  ${paint.ok('no problems found')}`);
  for (const f of real) {
    const where = [describeSteps(f.steps, run.unit), f.layer ? `layer ${f.layer}` : ''].filter((s) => s.length > 0).join(', ');
    out.push(`  ${paint[f.severity](LABEL[f.severity])} ${c.bold(f.check.padEnd(3))} ${c.bold(f.title)}${where ? c.dim(`  (${where})`) : ''}`);
    const pad = '        ';
    out.push(`${pad}${wrap(f.message, width, pad)}`);
    const ev = formatEvidence(f.evidence);
    if (ev.length > 0) out.push(c.dim(`${pad}${wrap(`evidence: ${ev}`, width, `${pad}  `)}`));
    for (const a of f.actions) out.push(`${pad}→ ${wrap(a, width, `${pad}  `)}`);
  }
  const thin = run.findings.filter(isTooLittleData);
  if (verbose && thin.length > 0) {
    out.push(c.dim(`  too little data for: ${thin.map((f) => `${f.check} (${f.message})`).join('; ')}`));
  }
  return out.join('\n');
}
