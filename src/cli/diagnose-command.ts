/**
 * `nndoctor diagnose <path...>`: diagnose runs from the logs their framework already wrote.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { checks as registry } from '../checks/index.js';
import { selectChecks } from '../diagnose/diagnose.js';
import type { Diagnosis } from '../diagnose/diagnose-paths.js';
import { diagnosePaths } from '../diagnose/diagnose-paths.js';
import type { Severity } from '../findings/finding.js';
import { severityRank } from '../findings/finding.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { isTooLittleData } from '../report/summary.js';
import { renderText } from '../report/text.js';
import type { CurveTags } from '../telemetry/curves.js';
import type { ExitCode } from './cli-error.js';
import { CliError } from './cli-error.js';
import type { CliIo } from './io.js';
import { useColor } from './io.js';
import { delayedProgress } from './progress.js';

/** Report formats of `diagnose` (and later commands that print findings). */
export type ReportFormat = 'text' | 'json' | 'markdown';
/** Threshold for a non-zero exit. */
export type FailOn = Severity | 'never';

interface DiagnoseFlags {
  format: ReportFormat;
  failOn: FailOn;
  only?: string;
  skip?: string;
  trainLoss?: string;
  valLoss?: string;
  metric?: string;
  valMetric?: string;
  lr?: string;
  color?: boolean;
  quiet?: boolean;
}

/**
 * Renders a diagnosis in the chosen format.
 * @example
 * io.stdout.write(renderReport(diagnosis, 'markdown', false));
 */
export function renderReport(diagnosis: Diagnosis, format: ReportFormat, color: boolean, verbose = true, width = 100): string {
  if (format === 'json') return renderJson(diagnosis);
  if (format === 'markdown') return renderMarkdown(diagnosis);
  return renderText(diagnosis, { color, verbose, width });
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

function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * Adds the `diagnose` command to `program`; the action stores its exit code through `setExit`.
 * @example
 * addDiagnoseCommand(program, io, (code) => { exitCode = code; });
 */
export function addDiagnoseCommand(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('diagnose')
    .description('diagnose training runs from their logs (TensorBoard event files, Lightning/Keras CSV, trainer_state.json, JSON lines)')
    .argument('<path...>', 'log files or directories (searched recursively)')
    .addOption(new Option('-f, --format <format>', 'report format').choices(['text', 'json', 'markdown']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['error', 'warning', 'info', 'never']).default('error'))
    .option('--only <ids>', 'run only these checks (comma-separated ids, e.g. C3,C6)')
    .option('--skip <ids>', 'skip these checks (comma-separated ids)')
    .option('--train-loss <tag>', 'tag of the training loss (default: found by naming conventions)')
    .option('--val-loss <tag>', 'tag of the validation loss')
    .option('--metric <tag>', 'tag of the training metric')
    .option('--val-metric <tag>', 'tag of the validation metric')
    .option('--lr <tag>', 'tag of the learning rate')
    .option('-q, --quiet', 'text report: leave out runs without findings and too-little-data notes')
    .option('--no-color', 'no colours in the text report')
    .action(async (paths: string[], flags: DiagnoseFlags) => {
      const { checks, unknown } = selectChecks(registry, { ...(flags.only ? { only: list(flags.only) ?? [] } : {}), ...(flags.skip ? { skip: list(flags.skip) ?? [] } : {}) });
      if (unknown.length > 0) {
        throw new CliError(`--only/--skip: unknown check id(s) ${unknown.join(', ')}; expected ids among ${registry.map((c) => c.id).join(', ')}`, 2);
      }
      const tags: CurveTags = {
        ...(flags.trainLoss ? { trainLoss: flags.trainLoss } : {}),
        ...(flags.valLoss ? { valLoss: flags.valLoss } : {}),
        ...(flags.metric ? { metric: flags.metric } : {}),
        ...(flags.valMetric ? { valMetric: flags.valMetric } : {}),
        ...(flags.lr ? { lr: flags.lr } : {}),
      };
      const progress = delayedProgress(io.stderr, 400, io.stderr.isTTY === true && io.env['CI'] === undefined);
      let diagnosis: Diagnosis;
      try {
        diagnosis = await diagnosePaths(paths, { checks, tags, onProgress: (p) => progress.update(p) });
      } finally {
        progress.stop();
      }
      const color = flags.color !== false && useColor(io.stdout, io.env);
      const width = io.stdout.isTTY === true && io.stdout.columns ? Math.min(io.stdout.columns, 120) : 100;
      io.stdout.write(renderReport(diagnosis, flags.format, color, flags.quiet !== true, width));
      if (diagnosis.runs.length === 0) {
        io.stderr.write(`nndoctor: nothing readable in ${paths.join(', ')}${diagnosis.problems.length > 0 ? ` (${diagnosis.problems.length} problem(s) above)` : ''}\n`);
      }
      setExit(exitCodeFor(diagnosis, flags.failOn));
    });
}
