/**
 * How watch events look: text lines like the diagnose text report (one finding at a time, prefixed by
 * its run), or one JSON object per line for other programs (`type` says what the line is).
 */
import { createColors } from 'picocolors';
import type { Severity } from '../findings/finding.js';
import type { Problem } from '../formats/reader.js';
import { formatEvidence, formatNumber } from '../report/format-number.js';
import { jsonReplacer } from '../report/json.js';
import { describeSteps } from '../report/summary.js';
import type { RunStatus, WatchFinding, WatchResolved, WatchSummary } from './events.js';
import { printable } from '../report/printable.js';

const LABEL: Record<Severity, string> = { error: 'ERROR', warning: 'WARN', info: 'INFO' };

/**
 * A finding as text: `[run] SEVERITY CHECK title (steps a-b): message`, then evidence and actions.
 * @example
 * findingText({ run: 'logs/a', unit: 'step', finding }, false)
 * // '[logs/a] ERROR C6 Curve vanishes (step 120): train/loss is NaN from step 120 ...\n    evidence: ...\n    → lower the learning rate\n'
 */
export function findingText(eventIn: WatchFinding, color: boolean): string {
  const event = printable(eventIn);
  const c = createColors(color);
  const paint: Record<Severity, (s: string) => string> = { error: c.red, warning: c.yellow, info: c.cyan };
  const f = event.finding;
  const where = [describeSteps(f.steps, event.unit), f.layer ? `layer ${f.layer}` : ''].filter((s) => s.length > 0).join(', ');
  const lines = [`${c.dim(`[${event.run}]`)} ${paint[f.severity](LABEL[f.severity])} ${c.bold(f.check)} ${c.bold(f.title)}${where ? ` (${where})` : ''}: ${f.message}`];
  const evidence = formatEvidence(f.evidence);
  if (evidence.length > 0) lines.push(c.dim(`    evidence: ${evidence}`));
  for (const a of f.actions) lines.push(`    → ${a}`);
  return `${lines.join('\n')}\n`;
}

/**
 * A finding as one JSON line: `{"type":"finding","run":...,"unit":...,<the finding's fields>}`.
 * Non-finite numbers are written as strings (`"NaN"`), like the diagnose JSON report.
 * @example
 * findingJson({ run: 'logs/a', unit: 'step', finding }) // '{"type":"finding","run":"logs/a",...}'
 */
export function findingJson(event: WatchFinding): string {
  return JSON.stringify({ type: 'finding', run: event.run, unit: event.unit, ...event.finding }, jsonReplacer);
}

/**
 * A resolved finding as one text line: `[run] RESOLVED CHECK title (layer): no longer found at step N`.
 * @example
 * resolvedText({ run: 'logs/a', unit: 'step', finding, step: 900 }, false)
 * // '[logs/a] RESOLVED C9 Unstable: no longer found at step 900 (was warning: loss oscillates ...)\n'
 */
export function resolvedText(eventIn: WatchResolved, color: boolean): string {
  const event = printable(eventIn);
  const c = createColors(color);
  const f = event.finding;
  const at = event.step === null ? '' : ` at ${event.unit} ${formatNumber(event.step)}`;
  return `${c.dim(`[${event.run}]`)} ${c.green('RESOLVED')} ${c.bold(f.check)} ${c.bold(f.title)}${f.layer ? ` (layer ${f.layer})` : ''}: no longer found${at} (was ${f.severity}: ${f.message})\n`;
}

/**
 * A resolved finding as one JSON line: `{"type":"resolved","run":...,"unit":...,"step":...,<the finding as last reported>}`.
 * @example
 * resolvedJson({ run: 'logs/a', unit: 'step', finding, step: 900 }) // '{"type":"resolved","run":"logs/a","unit":"step","step":900,"check":"C9",...}'
 */
export function resolvedJson(event: WatchResolved): string {
  return JSON.stringify({ type: 'resolved', run: event.run, unit: event.unit, step: event.step, ...event.finding }, jsonReplacer);
}

/**
 * An input problem as text (for stderr).
 * @example
 * problemText({ file: 'a.csv', code: 'ragged-row', message: 'line 3: ...' }) // 'nndoctor: ragged-row line 3: ...\n'
 */
export function problemText(problemIn: Problem): string {
  const problem = printable(problemIn);
  return `nndoctor: ${problem.code} ${problem.message}\n`;
}

/**
 * An input problem as one JSON line: `{"type":"problem","file":...,"code":...,"message":...}`.
 * @example
 * problemJson(problem) // '{"type":"problem","file":"a.csv","code":"ragged-row","message":"..."}'
 */
export function problemJson(problem: Problem): string {
  return JSON.stringify({ type: 'problem', file: problem.file, code: problem.code, message: problem.message });
}

/**
 * The closing line of a watch in text.
 * @example
 * summaryText(summary) // 'nndoctor watch: 2 runs · 1 error · 0 warnings · 1 info · 0 input problems (12 s)\n'
 * // with findings that went away again: '... · 1 info · 2 resolved · 0 input problems (12 s)\n'
 */
export function summaryText(summaryIn: WatchSummary): string {
  const summary = printable(summaryIn);
  const n = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
  const f = summary.findings;
  const resolved = summary.resolved > 0 ? ` · ${summary.resolved} resolved` : '';
  return `nndoctor watch: ${n(summary.runs, 'run')} · ${n(f.error, 'error')} · ${n(f.warning, 'warning')} · ${f.info} info${resolved} · ${n(summary.problems, 'input problem')} (${Math.round(summary.elapsedMs / 1000)} s)\n`;
}

/**
 * The closing line of a watch in JSON: `{"type":"summary","runs":2,"findings":{...},"resolved":0,"problems":0,"elapsedMs":...}`
 * plus `extra` fields (the CLI adds the exit code).
 * @example
 * summaryJson(summary, { exitCode: 0 })
 */
export function summaryJson(summary: WatchSummary, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'summary', ...summary, ...extra });
}

/**
 * One compact status line for a run: step, latest losses, worst finding, cut to `width` columns.
 * @example
 * statusText(status, 80) // 'runs/a  step 1200  loss 0.231  val 0.301  ▲ C3 Overfitting'
 */
export function statusText(statusIn: RunStatus, width: number, color = false): string {
  const status = printable(statusIn);
  const c = createColors(color);
  const parts = [status.run];
  if (status.step !== null) parts.push(`${status.unit} ${formatNumber(status.step)}`);
  if (status.trainLoss) parts.push(`loss ${formatNumber(status.trainLoss.value)}`);
  if (status.valLoss) parts.push(`val ${formatNumber(status.valLoss.value)}`);
  const w = status.worst;
  let tail = w ? `${w.severity === 'error' ? '✖' : w.severity === 'warning' ? '▲' : '●'} ${w.check} ${w.title}` : '✔ no problems so far';
  if (status.stalled) tail = `stalled · ${tail}`;
  const plain = `${parts.join('  ')}  ${tail}`;
  if (plain.length > width) return `${plain.slice(0, Math.max(0, width - 1))}…`;
  if (!w) return `${parts.join('  ')}  ${c.green(tail)}`;
  const paint = w.severity === 'error' ? c.red : w.severity === 'warning' ? c.yellow : c.cyan;
  return `${parts.join('  ')}  ${paint(tail)}`;
}
