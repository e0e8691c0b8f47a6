/**
 * `nndoctor diagnose <path...>`: diagnose runs from the logs their framework already wrote.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Diagnosis } from '../diagnose/diagnose-paths.js';
import { diagnosePaths } from '../diagnose/diagnose-paths.js';
import type { Severity } from '../findings/finding.js';
import { severityRank } from '../findings/finding.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { isTooLittleData } from '../report/summary.js';
import { renderSweepMarkdown } from '../report/sweep-markdown.js';
import { renderSweepText } from '../report/sweep-text.js';
import type { ReportView } from '../report/sweep-view.js';
import { SWEEP_THRESHOLD, useSweepView } from '../report/sweep-view.js';
import { renderText } from '../report/text.js';
import type { ExitCode } from './cli-error.js';
import type { CheckFlags } from './check-flags.js';
import { addCheckOptions, checksAndTags } from './check-flags.js';
import type { CliIo } from './io.js';
import { useColor } from './io.js';
import { delayedProgress } from './progress.js';

/** Report formats of `diagnose` (and later commands that print findings). */
export type ReportFormat = 'text' | 'json' | 'markdown';
/** Threshold for a non-zero exit. */
export type FailOn = Severity | 'never';

interface DiagnoseFlags extends CheckFlags {
  format: ReportFormat;
  failOn: FailOn;
  color?: boolean;
  quiet?: boolean;
  details?: boolean;
  summary?: boolean;
}

/**
 * Renders a diagnosis in the chosen format. Text and markdown show the sweep view for more than
 * {@link SWEEP_THRESHOLD} runs (`view: 'auto'`), or as `view` forces; JSON always has both.
 * @example
 * io.stdout.write(renderReport(diagnosis, 'markdown', false));
 */
export function renderReport(diagnosis: Diagnosis, format: ReportFormat, color: boolean, verbose = true, width = 100, view: ReportView = 'auto'): string {
  if (format === 'json') return renderJson(diagnosis);
  const sweep = useSweepView(diagnosis.runs.length, view);
  if (format === 'markdown') return sweep ? renderSweepMarkdown(diagnosis) : renderMarkdown(diagnosis);
  return sweep ? renderSweepText(diagnosis, { color, verbose, width }) : renderText(diagnosis, { color, verbose, width: Math.min(width, 120) });
}

/**
 * The exit code for a diagnosis: 2 when nothing was readable, 1 when a finding is at or above `failOn`.
 * @example
 * exitCodeFor(diagnosis, 'warning') // 1 if any warning or error
 */
export function exitCodeFor(diagnosis: Diagnosis, failOn: FailOn): ExitCode {
  if (diagnosis.runs.length === 0) return 2;
  if (failOn === 'never') return 0;
  const bar = severityRank(failOn);
  const hit = diagnosis.runs.some((r) => r.findings.some((f) => !isTooLittleData(f) && severityRank(f.severity) >= bar));
  return hit ? 1 : 0;
}


/**
 * Adds the `diagnose` command to `program`; the action stores its exit code through `setExit`.
 * @example
 * addDiagnoseCommand(program, io, (code) => { exitCode = code; });
 */
export function addDiagnoseCommand(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  addCheckOptions(program.command('diagnose'))
    .description('diagnose training runs from their logs (TensorBoard event files, Lightning/Keras CSV, trainer_state.json, JSON lines)')
    .argument('<path...>', 'log files or directories (searched recursively)')
    .addOption(new Option('-f, --format <format>', 'report format').choices(['text', 'json', 'markdown']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['error', 'warning', 'info', 'never']).default('error'))
    .option('-q, --quiet', 'text report: leave out runs without findings and too-little-data notes')
    .addOption(new Option('--summary', `sweep view (runs table, findings grouped by check) whatever the number of runs (default above ${SWEEP_THRESHOLD} runs)`).conflicts('details'))
    .addOption(new Option('--details', `one section per run whatever the number of runs (default up to ${SWEEP_THRESHOLD} runs)`).conflicts('summary'))
    .option('--no-color', 'no colours in the text report')
    .action(async (paths: string[], flags: DiagnoseFlags) => {
      const { checks, tags } = checksAndTags(flags);
      const progress = delayedProgress(io.stderr, 400, io.stderr.isTTY === true && io.env['CI'] === undefined);
      let diagnosis: Diagnosis;
      try {
        diagnosis = await diagnosePaths(paths, { checks, tags, onProgress: (p) => progress.update(p) });
      } finally {
        progress.stop();
      }
      const color = flags.color !== false && useColor(io.stdout, io.env);
      const width = io.stdout.isTTY === true && io.stdout.columns ? Math.max(40, io.stdout.columns) : 100;
      const view: ReportView = flags.summary === true ? 'summary' : flags.details === true ? 'details' : 'auto';
      io.stdout.write(renderReport(diagnosis, flags.format, color, flags.quiet !== true, width, view));
      if (diagnosis.runs.length === 0) {
        io.stderr.write(`nndoctor: nothing readable in ${paths.join(', ')}${diagnosis.problems.length > 0 ? ` (${diagnosis.problems.length} problem(s) above)` : ''}\n`);
      }
      setExit(exitCodeFor(diagnosis, flags.failOn));
    });
}
