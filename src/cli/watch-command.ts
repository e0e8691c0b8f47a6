/**
 * `nndoctor watch <path...> [--exec -- <command ...>]`: follow training logs while they are written and
 * print each new finding once; optionally start the training command, pass its output through, and
 * stop it when a finding says training is broken. Process signals are handled here (and forwarded to
 * the command); the watch core only sees an AbortSignal.
 */
import { isatty } from 'node:tty';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Severity } from '../findings/finding.js';
import type { ChildOptions } from '../watch/child.js';
import { exitStatus } from '../watch/child.js';
import { findingJson, findingText, problemJson, problemText, resolvedJson, resolvedText, summaryJson, summaryText } from '../watch/render.js';
import type { SessionEvents, SessionOptions, WatchSession } from '../watch/session.js';
import { startWatchSession } from '../watch/session.js';
import { StatusBoard } from '../watch/status-board.js';
import type { ExitCode } from './cli-error.js';
import { CliError } from './cli-error.js';
import type { CheckFlags } from './check-flags.js';
import { addCheckOptions, checksAndTags } from './check-flags.js';
import type { CliIo } from './io.js';
import { useColor } from './io.js';

interface WatchFlags extends CheckFlags {
  format: 'text' | 'json';
  exec?: boolean;
  stopOn: Severity | 'off';
  grace: string;
  onFinding?: string;
  onResolved?: string;
  interval: string;
  stallAfter: string;
  timeout?: string;
  color?: boolean;
}

function seconds(flag: string, value: string, min: number, inclusive: boolean): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || (inclusive ? x < min : x <= min)) {
    throw new CliError(`${flag}: expected a number of seconds ${inclusive ? '>=' : '>'} ${min}, got '${value}'`, 2);
  }
  return x;
}


/** The command after `--` (commander appends it to the paths; the raw arguments say where it starts). */
function splitCommand(paths: readonly string[], cmd: Command): { paths: string[]; command: string[] } {
  const raw = (cmd.parent as unknown as { rawArgs?: unknown } | null)?.rawArgs;
  const args = Array.isArray(raw) ? (raw as string[]) : [];
  const at = args.indexOf('--');
  const command = at < 0 ? [] : args.slice(at + 1);
  return { paths: paths.slice(0, Math.max(0, paths.length - command.length)), command };
}

/**
 * Process signals while watching. Without a command: SIGINT, SIGTERM or SIGHUP end the watch. With
 * one: SIGTERM and SIGHUP are forwarded; SIGINT is forwarded unless it came from a terminal (Ctrl-C
 * already reached the command, which shares our process group), a second one sends SIGTERM, a third
 * SIGKILL. Returns the function that removes the handlers.
 */
function handleSignals(exec: boolean, stop: AbortController, toChild: (signal: NodeJS.Signals) => void): () => void {
  let interrupts = 0;
  const terminal = isatty(0);
  const onInterrupt = (): void => {
    interrupts++;
    if (!exec) stop.abort();
    else if (interrupts === 1) {
      if (!terminal) toChild('SIGINT');
    } else toChild(interrupts === 2 ? 'SIGTERM' : 'SIGKILL');
  };
  const pass = (signal: NodeJS.Signals) => (): void => (exec ? toChild(signal) : stop.abort());
  const onTerm = pass('SIGTERM');
  const onHup = pass('SIGHUP');
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onHup);
  return () => {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onTerm);
    process.off('SIGHUP', onHup);
  };
}

/**
 * Adds the `watch` command to `program`; the action stores its exit code through `setExit`.
 * @example
 * addWatchCommand(program, io, (code) => { exitCode = code; });
 */
export function addWatchCommand(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  addCheckOptions(program.command('watch'))
    .description('follow training logs while they are written and print each new finding once; with --exec, start the training command and stop it on a broken run')
    .argument('<path...>', 'log files or directories to follow (they need not exist yet); with --exec, the command follows --')
    .addOption(new Option('-f, --format <format>', 'output: text lines, or one JSON object per line').choices(['text', 'json']).default('text'))
    .option('--exec', 'start the command given after --, pass its output through, watch until it exits and exit with its exit code')
    .addOption(new Option('--stop-on <severity>', 'with --exec: stop the command on a finding at or above this severity, exit 1').choices(['error', 'warning', 'off']).default('off'))
    .option('--grace <seconds>', 'with --exec: seconds between SIGINT and SIGTERM (and SIGTERM and SIGKILL) when stopping the command', '10')
    .option('--on-finding <command>', 'shell command run once per new finding, with the finding as one JSON line on stdin')
    .option('--on-resolved <command>', 'shell command run once per resolved finding (gone for two check passes), with its JSON line on stdin')
    .option('--interval <seconds>', 'seconds between looks at the log files', '0.5')
    .option('--stall-after <seconds>', 'report a run whose files stop growing for this long (info)', '300')
    .option('--timeout <seconds>', 'stop after this long (without --exec: exit 0; with --exec: stop the command)')
    .option('--no-color', 'no colours')
    .action(async (given: string[], flags: WatchFlags, cmd: Command) => {
      const { paths, command } = flags.exec ? splitCommand(given, cmd) : { paths: given, command: [] };
      if (flags.exec && command.length === 0) throw new CliError('--exec: expected the training command after --, e.g. nndoctor watch runs/ --exec -- python train.py', 2);
      if (paths.length === 0) throw new CliError('watch: expected at least one log path before --exec (the directory the command writes its logs to)', 2);
      if (!flags.exec && flags.stopOn !== 'off') throw new CliError('--stop-on: needs --exec (there is no command to stop)', 2);
      const { checks, tags } = checksAndTags(flags);
      const intervalMs = seconds('--interval', flags.interval, 0.01, true) * 1000;
      const stallAfterMs = seconds('--stall-after', flags.stallAfter, 0, false) * 1000;
      const graceMs = seconds('--grace', flags.grace, 0, true) * 1000;
      const timeoutMs = flags.timeout === undefined ? undefined : seconds('--timeout', flags.timeout, 0, false) * 1000;
      const json = flags.format === 'json';
      const color = !json && flags.color !== false && useColor(io.stdout, io.env);
      const board = !json && !flags.exec && io.stdout.isTTY === true && io.env['CI'] === undefined ? new StatusBoard(io.stdout, color) : null;
      const above = (write: () => void): void => (board ? board.above(write) : write());
      const commandLine = command.join(' ');
      let stopped = false;

      const events: SessionEvents = {
        finding: (e) => above(() => io.stdout.write(json ? `${findingJson(e)}\n` : findingText(e, color))),
        resolved: (e) => above(() => io.stdout.write(json ? `${resolvedJson(e)}\n` : resolvedText(e, color))),
        problem: (p) => above(() => (json ? io.stdout.write(`${problemJson(p)}\n`) : io.stderr.write(problemText(p)))),
        waiting: (path) => above(() => io.stderr.write(`nndoctor: no logs in ${path} yet; waiting for them to appear\n`)),
        status: (s) => board?.update(s),
        stopping: ({ pid, event }) => {
          stopped = true;
          above(() => io.stderr.write(`nndoctor: stopping ${commandLine} (pid ${pid}): ${event.finding.check} ${event.finding.message}\n`));
        },
        hookFailed: (message) => above(() => io.stderr.write(`nndoctor: ${message}\n`)),
      };
      const passThrough = io.stdout === process.stdout && io.stderr === process.stderr;
      const output: ChildOptions['output'] = passThrough ? (json ? 'stdoutToStderr' : 'inherit') : { stdout: json ? io.stderr : io.stdout, stderr: io.stderr };
      const options: SessionOptions = {
        paths,
        checks,
        tags,
        intervalMs,
        stallAfterMs,
        ...(flags.exec ? { exec: { command: command[0] as string, args: command.slice(1), graceMs, output, stopOn: flags.stopOn === 'off' ? null : flags.stopOn } } : {}),
        ...(flags.onFinding ? { onFinding: { command: flags.onFinding, env: io.env } } : {}),
        ...(flags.onResolved ? { onResolved: { command: flags.onResolved, env: io.env } } : {}),
      };

      const stop = new AbortController();
      let session: WatchSession | null = null;
      const releaseSignals = handleSignals(flags.exec === true, stop, (signal) => session?.signalChild(signal));
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              if (flags.exec && session) above(() => io.stderr.write(`nndoctor: --timeout of ${flags.timeout ?? ''} s reached; stopping ${commandLine} (pid ${session?.pid ?? '?'})\n`));
              stop.abort();
            }, timeoutMs);
      try {
        try {
          session = await startWatchSession(options, events, stop.signal);
        } catch (cause) {
          throw new CliError(`--exec: cannot start '${commandLine}': ${cause instanceof Error ? cause.message : String(cause)}`, 2);
        }
        const outcome = await session.done;
        board?.clear();
        let code: number;
        if (outcome.child) {
          code = outcome.stopFinding ? 1 : exitStatus(outcome.child);
          if (outcome.stopFinding && !stopped) {
            const f = outcome.stopFinding.finding;
            io.stderr.write(`nndoctor: ${commandLine} finished, but ${f.check} (${f.severity}) is at or above --stop-on ${flags.stopOn}: ${f.message}\n`);
          }
        } else {
          code = outcome.summary.runs === 0 ? 2 : 0;
          if (code === 2) io.stderr.write(`nndoctor: no readable training logs appeared in ${paths.join(', ')}\n`);
        }
        const extra = { exitCode: code, ...(outcome.child ? { childExit: exitStatus(outcome.child) } : {}), stoppedBy: outcome.stopFinding?.finding.check ?? null };
        io.stdout.write(json ? `${summaryJson(outcome.summary, extra)}\n` : summaryText(outcome.summary));
        // The command's own exit code passes through as is (it may be any 0-255 value).
        setExit(code);
      } finally {
        if (timer) clearTimeout(timer);
        releaseSignals();
      }
    });
}
