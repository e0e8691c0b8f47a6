/**
 * `nndoctor serve <path...> [--port N] [--host H]`: a local, read-only web dashboard over the runs
 * under the given paths (127.0.0.1 by default), updated live while they are written. It prints the
 * URL and opens nothing else (no browser is started). Stops on Ctrl-C / SIGTERM.
 */
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import type { DashboardServer } from '../server/server.js';
import { DEFAULT_PORT, startDashboard } from '../server/server.js';
import type { ExitCode } from './cli-error.js';
import { CliError } from './cli-error.js';
import type { CheckFlags } from './check-flags.js';
import { addCheckOptions, checksAndTags } from './check-flags.js';
import type { CliIo } from './io.js';

interface ServeFlags extends CheckFlags {
  port: string;
  host: string;
  interval: string;
}


function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * Adds the `serve` command to `program`; the action stores its exit code through `setExit`.
 * `stop` ends the server from tests (by default SIGINT/SIGTERM do).
 * @example
 * addServeCommand(program, io, (code) => { exitCode = code; });
 */
export function addServeCommand(program: Command, io: CliIo, setExit: (code: ExitCode) => void, stop?: AbortSignal): void {
  addCheckOptions(program.command('serve'))
    .description('serve a local dashboard of the runs under the given paths (runs, curves with findings, per-layer panels), updated live; read-only, 127.0.0.1 by default')
    .argument('<path...>', 'log files or directories (searched recursively; the same paths diagnose accepts)')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', String(DEFAULT_PORT))
    .option('--host <host>', 'interface to listen on (another than 127.0.0.1 makes the logs readable from other machines)', '127.0.0.1')
    .option('--interval <seconds>', 'seconds between looks at the log files for live updates', '1')
    .action(async (paths: string[], flags: ServeFlags) => {
      const port = Number(flags.port);
      if (flags.port.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port: expected an integer from 0 to 65535, got '${flags.port}'`, 2);
      const interval = Number(flags.interval);
      if (flags.interval.trim() === '' || !Number.isFinite(interval) || interval < 0.1) throw new CliError(`--interval: expected a number of seconds >= 0.1, got '${flags.interval}'`, 2);
      const { checks, tags } = checksAndTags(flags);
      for (const p of paths) {
        try {
          await stat(p);
        } catch (cause) {
          throw new CliError(`${p}: cannot read (${(cause as NodeJS.ErrnoException).code ?? String(cause)}); expected a log file or a directory of logs`, 2);
        }
      }
      let dash: DashboardServer;
      try {
        dash = await startDashboard({ paths, host: flags.host, port, intervalMs: interval * 1000, diagnose: { checks, tags } });
      } catch (cause) {
        const code = (cause as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new CliError(`--port ${port}: the port is in use; pick another, or --port 0 for any free port`, 2);
        if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EACCES') throw new CliError(`--host ${flags.host} --port ${port}: cannot listen there (${code})`, 2);
        throw cause;
      }
      const runs = dash.store.list().length;
      io.stdout.write(`nndoctor: serving ${runs} run(s) from ${paths.join(', ')} at ${dash.url}\n`);
      if (!isLoopback(flags.host)) io.stderr.write(`nndoctor: listening on ${flags.host}: anyone who can reach this address can read these logs\n`);
      if (runs === 0) io.stderr.write(`nndoctor: no logs in ${paths.join(', ')} yet; runs appear on the page as they are written\n`);
      io.stdout.write('(read-only; press Ctrl-C to stop)\n');
      await new Promise<void>((resolve) => {
        const done = (): void => {
          process.off('SIGINT', done);
          process.off('SIGTERM', done);
          stop?.removeEventListener('abort', done);
          resolve();
        };
        process.on('SIGINT', done);
        process.on('SIGTERM', done);
        stop?.addEventListener('abort', done);
        if (stop?.aborted) done();
      });
      await dash.close();
      setExit(0);
    });
}
