/**
 * The Markdown report of a sweep, made for a GitHub step summary or a pull-request comment: the
 * headline; the settings that go with a finding; a table of the runs with findings, worst first
 * (the healthy ones folded away); one collapsible `<details>` per check with its explanation, next
 * actions and one row per run; the worst few runs in full; the input problems; the headline again.
 */
import type { RunReport } from '../diagnose/diagnose.js';
import type { Diagnosis } from '../diagnose/diagnose-paths.js';
import type { Health, SweepCounts } from '../sweep/sweep.js';
import { health, realFindings } from '../sweep/sweep.js';
import { formatEvidence, formatNumber } from './format-number.js';
import { BADGE, cell, runSection } from './markdown.js';
import { describeSteps } from './summary.js';
import type { GroupView, SweepView } from './sweep-view.js';
import { paramCell, sweepView } from './sweep-view.js';

/** Parameter columns in the Markdown runs table at most. */
const PARAM_COLUMNS = 8;
/** Run names listed in a check's summary line at most. */
const NAMES_LISTED = 12;
/** Input problems listed at most. */
const PROBLEMS_LISTED = 50;

/** Escapes text for Markdown that sits inside HTML (`<summary>`) or a table. */
function text(s: string): string {
  return cell(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Renders a diagnosis as a sweep in Markdown.
 * @example
 * await appendFile(process.env.GITHUB_STEP_SUMMARY, renderSweepMarkdown(diagnosis));
 */
export function renderSweepMarkdown(diagnosis: Diagnosis): string {
  const view = sweepView(diagnosis);
  const head = headline(view.sweep.counts);
  const out: string[] = [`# nndoctor: ${view.sweep.counts.runs} runs`, '', head, ''];
  if (view.under) out.push(`Runs under \`${view.under}\`, named by the shortest distinct end of their path.`, '');
  const splits = view.groups.flatMap((g) => g.splits.map((s) => `- **${g.group.check} ${text(g.group.title)}**: ${text(s)}`));
  if (splits.length > 0) out.push('## Settings that go with a finding', '', ...splits, '');
  out.push(...runsTable(view), '');
  if (view.groups.length > 0) {
    out.push('## Findings by check', '');
    for (const g of view.groups) out.push(...group(g, view), '');
  }
  if (view.detailed.length > 0) {
    out.push(`## The ${view.detailed.length === 1 ? 'worst run' : `${view.detailed.length} worst runs`} in full`, '');
    for (const run of view.detailed) out.push(...runSection(run, '###', view.params), '');
  }
  const problems = view.diagnosis.problems;
  if (problems.length > 0) {
    out.push('## Input problems', '', '| file | code | message |', '|---|---|---|');
    for (const p of problems.slice(0, PROBLEMS_LISTED)) out.push(`| ${text(p.file)} | ${p.code} | ${text(p.message)} |`);
    if (problems.length > PROBLEMS_LISTED) out.push('', `… ${problems.length - PROBLEMS_LISTED} more (\`--format json\`).`);
    out.push('');
  }
  out.push('---', '', head);
  return `${out.join('\n')}\n`;
}

function headline(counts: SweepCounts): string {
  const h = counts.runsByHealth;
  return [
    `**${counts.runs} runs**: ${BADGE.error.split(' ')[0]} ${h.error} with errors`,
    `${BADGE.warning.split(' ')[0]} ${h.warning} with warnings`,
    `${BADGE.info.split(' ')[0]} ${h.info} info`,
    `${BADGE.ok.split(' ')[0]} ${h.ok} ok`,
    `${counts.problems} input problem${counts.problems === 1 ? '' : 's'}`,
  ].join(' · ');
}

function runsTable(view: SweepView): string[] {
  const params = view.params.slice(0, PARAM_COLUMNS);
  const header = ['| run | health | worst finding | steps | train loss | val loss |' + params.map((p) => ` ${text(p)} |`).join(''), `|---|---|---|---:|---:|---:|${params.map(() => '---:|').join('')}`];
  const row = (r: RunReport): string => {
    const real = realFindings(r);
    const checks = [...new Set(real.map((f) => f.check))];
    const worst = real[0] ? `**${real[0].check}** ${text(real[0].title)}${checks.length > 1 ? ` +${checks.slice(1).join(', ')}` : ''}` : '—';
    const steps = r.lastStep === null ? '—' : `${r.lastStep}${r.unit === 'epoch' ? ' ep' : ''}`;
    const loss = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : formatNumber(v));
    return `| ${text(view.name(r.run))} | ${BADGE[health(r)]} | ${worst} | ${steps} | ${loss(r.lastLoss?.train)} | ${loss(r.lastLoss?.val)} |${params.map((p) => ` ${text(paramCell(r.params?.[p]))} |`).join('')}`;
  };
  const sick = view.order.filter((r) => health(r) !== 'ok');
  const ok = view.order.filter((r) => health(r) === 'ok');
  const out = ['## Runs, worst first', ''];
  if (sick.length > 0) out.push(...header, ...sick.map(row));
  else out.push('No run has a finding.');
  if (ok.length > 0) out.push('', `<details><summary>${BADGE.ok.split(' ')[0]} ${ok.length} run${ok.length === 1 ? '' : 's'} without findings</summary>`, '', ...header, ...ok.map(row), '', '</details>');
  const hidden = view.params.length - params.length;
  if (hidden > 0) out.push('', `${hidden} more parameter${hidden === 1 ? '' : 's'} differ: ${view.params.slice(PARAM_COLUMNS).map((p) => `\`${text(p)}\``).join(', ')} (\`--format json\`).`);
  return out;
}

function group(g: GroupView, view: SweepView): string[] {
  const { group: grp } = g;
  const names = grp.runs.slice(0, NAMES_LISTED).map((id) => text(view.name(id)));
  const more = grp.runs.length - names.length;
  const badge = BADGE[grp.severity as Health];
  const out = [
    `<details><summary>${badge} <b>${grp.check} ${text(grp.title)}</b> - ${grp.runs.length} of ${view.diagnosis.runs.length} runs: ${names.join(', ')}${more > 0 ? `, … ${more} more` : ''}</summary>`,
    '',
  ];
  if (g.description) out.push(text(g.description), '');
  for (const s of g.splits) out.push(`**Settings:** ${text(s)}`, '');
  if (g.actions.length > 0) {
    out.push('**Next actions**', '');
    for (const a of g.actions) out.push(`- ${text(a.text)}${a.from ? ` _(numbers of ${text(a.from)}; each run's own in \`--details\`)_` : ''}`);
    out.push('');
  }
  out.push('| run | where | what |', '|---|---|---|');
  for (const r of g.rows) {
    const where = [describeSteps(r.finding.steps, r.run.unit), r.finding.layer ? `layer \`${r.finding.layer}\`` : ''].filter((s) => s).join(', ');
    const more = r.more > 0 ? ` (+${r.more} more)` : '';
    out.push(`| ${text(view.name(r.run.run))} | ${text(where) || '—'} | ${text(r.finding.message)}${more}<br><sub>${text(formatEvidence(r.finding.evidence))}</sub> |`);
  }
  out.push('', '</details>');
  return out;
}
