/**
 * The Markdown report, for pull-request comments and CI summaries.
 */
import type { RunReport } from '../diagnose/diagnose.js';
import type { Diagnosis } from '../diagnose/diagnose-paths.js';
import type { Severity } from '../findings/finding.js';
import { formatEvidence } from './format-number.js';
import { countFindings, describeSteps, isTooLittleData, runsWorstFirst, worstSeverity } from './summary.js';
import { printable } from './printable.js';
import { paramsLine, paramsShown } from './text.js';

/** Health badges of the Markdown reports. */
export const BADGE: Record<Severity | 'ok', string> = { error: '🔴 error', warning: '🟠 warning', info: '🔵 info', ok: '🟢 ok' };

/**
 * Text for a Markdown table cell: pipes escaped, newlines joined.
 * @example
 * cell('a | b') // 'a \\| b'
 */
export function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * One run's section: heading, notes, parameters (`paramKeys`), and a table of its findings with evidence
 * and next actions. Strings must already be printable.
 * @example
 * runSection(run, '##', ['lr']).join('\n')
 */
export function runSection(run: RunReport, heading: string, paramKeys: readonly string[] = []): string[] {
  const out: string[] = [`${heading} ${run.run}`, ''];
  for (const note of run.notes) out.push(`> ${note}`, '');
  const params = paramsLine(run.params ?? {}, paramKeys);
  if (params.length > 0) out.push(`Parameters: ${params}`, '');
  out.push('| severity | check | where | what | next actions |', '|---|---|---|---|---|');
  for (const f of run.findings.filter((x) => !isTooLittleData(x))) {
    const where = [describeSteps(f.steps, run.unit), f.layer ? `layer \`${f.layer}\`` : ''].filter((x) => x).join(', ');
    out.push(
      `| ${BADGE[f.severity]} | **${f.check}** ${cell(f.title)} | ${cell(where) || '—'} | ${cell(f.message)}<br><sub>${cell(formatEvidence(f.evidence))}</sub> | ${f.actions.map(cell).join('<br>')} |`,
    );
  }
  return out;
}

/**
 * Renders a diagnosis as Markdown.
 * @example
 * await writeFile('report.md', renderMarkdown(diagnosis));
 */
export function renderMarkdown(diagnosisIn: Diagnosis): string {
  const diagnosis = printable(diagnosisIn);
  const counts = countFindings(diagnosis.runs);
  const out: string[] = ['# nndoctor diagnosis', ''];
  out.push(`${diagnosis.runs.length} run(s): **${counts.error}** error(s), **${counts.warning}** warning(s), ${counts.info} info.`, '');
  out.push('| run | format | health | findings |', '|---|---|---|---|');
  for (const run of runsWorstFirst(diagnosis)) {
    const ids = [...new Set(run.findings.filter((f) => !isTooLittleData(f)).map((f) => f.check))].join(', ');
    out.push(`| ${cell(run.run)} | ${run.format} | ${BADGE[worstSeverity(run) ?? 'ok']} | ${ids || '—'} |`);
  }
  const keys = paramsShown(diagnosis.runs);
  for (const run of runsWorstFirst(diagnosis)) {
    if (run.findings.every((f) => isTooLittleData(f))) continue;
    out.push('', ...runSection(run, '##', keys));
  }
  if (diagnosis.problems.length > 0) {
    out.push('', '## Input problems', '', '| file | code | message |', '|---|---|---|');
    for (const p of diagnosis.problems) out.push(`| ${cell(p.file)} | ${p.code} | ${cell(p.message)} |`);
  }
  return `${out.join('\n')}\n`;
}
