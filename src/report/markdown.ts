/**
 * The Markdown report, for pull-request comments and CI summaries.
 */
import type { Diagnosis } from '../diagnose/diagnose-paths.js';
import type { Severity } from '../findings/finding.js';
import { formatEvidence } from './format-number.js';
import { countFindings, describeSteps, isTooLittleData, runsWorstFirst, worstSeverity } from './summary.js';
import { printable } from './printable.js';

const BADGE: Record<Severity | 'ok', string> = { error: '🔴 error', warning: '🟠 warning', info: '🔵 info', ok: '🟢 ok' };

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
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
  for (const run of runsWorstFirst(diagnosis)) {
    const real = run.findings.filter((f) => !isTooLittleData(f));
    if (real.length === 0) continue;
    out.push('', `## ${run.run}`, '');
    for (const note of run.notes) out.push(`> ${note}`, '');
    out.push('| severity | check | where | what | next actions |', '|---|---|---|---|---|');
    for (const f of real) {
      const where = [describeSteps(f.steps, run.unit), f.layer ? `layer \`${f.layer}\`` : ''].filter((s) => s).join(', ');
      out.push(
        `| ${BADGE[f.severity]} | **${f.check}** ${cell(f.title)} | ${cell(where) || '—'} | ${cell(f.message)}<br><sub>${cell(formatEvidence(f.evidence))}</sub> | ${f.actions.map(cell).join('<br>')} |`,
      );
    }
  }
  if (diagnosis.problems.length > 0) {
    out.push('', '## Input problems', '', '| file | code | message |', '|---|---|---|');
    for (const p of diagnosis.problems) out.push(`| ${cell(p.file)} | ${p.code} | ${cell(p.message)} |`);
  }
  return `${out.join('\n')}\n`;
}
