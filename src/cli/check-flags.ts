/**
 * The flags every command that runs the checks shares (`diagnose`, `watch`, `serve`): which checks
 * (`--only`, `--skip`) and which curves (`--train-loss`, `--val-loss`, `--metric`, `--val-metric`, `--lr`).
 */
import type { Command } from 'commander';
import type { Check } from '../checks/check.js';
import { checks as registry } from '../checks/index.js';
import { selectChecks } from '../diagnose/diagnose.js';
import type { CurveTags } from '../telemetry/curves.js';
import { CliError } from './cli-error.js';

/** The parsed values of the shared flags. */
export interface CheckFlags {
  only?: string;
  skip?: string;
  trainLoss?: string;
  valLoss?: string;
  metric?: string;
  valMetric?: string;
  lr?: string;
}

/**
 * Splits a comma-separated flag value: `'C3, C6'` -> `['C3', 'C6']`.
 * @example
 * commaList('C3,C6') // ['C3', 'C6']
 */
export function commaList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * Adds `--only`, `--skip` and the curve-tag options to `command`.
 * @example
 * addCheckOptions(program.command('diagnose')).action(...)
 */
export function addCheckOptions(command: Command): Command {
  return command
    .option('--only <ids>', 'run only these checks (comma-separated ids, e.g. C3,C6)')
    .option('--skip <ids>', 'skip these checks (comma-separated ids)')
    .option('--train-loss <tag>', 'tag of the training loss (default: found by naming conventions)')
    .option('--val-loss <tag>', 'tag of the validation loss')
    .option('--metric <tag>', 'tag of the training metric')
    .option('--val-metric <tag>', 'tag of the validation metric')
    .option('--lr <tag>', 'tag of the learning rate');
}

/**
 * The checks and curve tags the flags select. Unknown check ids are a usage error naming them and the known ids.
 * @example
 * const { checks, tags } = checksAndTags(flags);
 */
export function checksAndTags(flags: CheckFlags): { checks: Check[]; tags: CurveTags } {
  const { checks, unknown } = selectChecks(registry, {
    ...(flags.only ? { only: commaList(flags.only) } : {}),
    ...(flags.skip ? { skip: commaList(flags.skip) } : {}),
  });
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
  return { checks, tags };
}
