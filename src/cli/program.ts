/**
 * The nndoctor command line: one program, commands added by their modules, one error type, and
 * `runCli` returning the exit code (only `main.ts` exits the process).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import type { ExitCode } from './cli-error.js';
import { CliError } from './cli-error.js';
import { addDemoCommand } from './demo-command.js';
import { addDiagnoseCommand } from './diagnose-command.js';
import type { CliIo } from './io.js';
import { addPreflightCommand } from './preflight-command.js';
import { addServeCommand } from './serve-command.js';
import { addWatchCommand } from './watch-command.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code.
 * Usage errors and CliErrors print one line on stderr; nothing prints a stack trace.
 * @example
 * const code = await runCli(['diagnose', 'logs/', '--format', 'json'], processIo());
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let exit: ExitCode = 0;
  const program = new Command('nndoctor')
    .description('Debug neural-network training: diagnose runs from their logs, with evidence and next actions.')
    .version(version())
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run nndoctor --help for usage)');
  addDiagnoseCommand(program, io, (code) => {
    exit = code;
  });
  addWatchCommand(program, io, (code) => {
    exit = code;
  });
  addPreflightCommand(program, io, (code) => {
    exit = code;
  });
  addServeCommand(program, io, (code) => {
    exit = code;
  });
  addDemoCommand(program, io, (code) => {
    exit = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exit;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
    }
    if (err instanceof CliError) {
      io.stderr.write(`nndoctor: ${err.message}\n`);
      return err.code;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`nndoctor: unexpected error: ${message}\n`);
    if (io.env['NNDOCTOR_DEBUG'] && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    else io.stderr.write('(set NNDOCTOR_DEBUG=1 for details, and please report it)\n');
    return 2;
  }
}
