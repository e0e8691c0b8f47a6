/**
 * The training command started by `watch --exec`: its output passed through, its exit awaited, and a
 * graceful stop (SIGINT, then SIGTERM after a grace period, then SIGKILL after another) when a finding
 * says training is broken. Signals are only sent here on request: the CLI forwards its own.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** A writable text stream the child's output can be copied to. */
export interface OutputStream {
  write(chunk: string): unknown;
}

/** Options of {@link startChild}. */
export interface ChildOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** Time between SIGINT and SIGTERM (and between SIGTERM and SIGKILL) in a graceful stop, ms. */
  readonly graceMs: number;
  /**
   * Where the child's output goes: `inherit` shares this process's stdin/stdout/stderr (the child
   * keeps its TTY); `stdoutToStderr` shares them but sends the child's stdout to our stderr (keeps a
   * JSON stream on stdout clean); streams copy the output to those streams (pipes).
   */
  readonly output: 'inherit' | 'stdoutToStderr' | { readonly stdout: OutputStream; readonly stderr: OutputStream };
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** How the child ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * A running training command.
 * @example
 * const child = await startChild({ command: 'python', args: ['train.py'], graceMs: 10_000, output: 'inherit' });
 * child.stop();
 * const { code } = await child.exited;
 */
export class SupervisedChild {
  /** Resolves when the child has exited (after its output was flushed). */
  readonly exited: Promise<ChildExit>;
  private done = false;
  private stopping = false;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly proc: ChildProcess, private readonly graceMs: number) {
    proc.on('error', () => undefined); // a failed kill of an exiting child: nothing to do
    this.exited = new Promise((resolve) => {
      proc.once('close', (code, signal) => {
        this.done = true;
        for (const t of this.timers) clearTimeout(t);
        resolve({ code, signal });
      });
    });
  }

  /** The child's process id. */
  get pid(): number {
    return this.proc.pid ?? -1;
  }

  /** Whether the child is still running. */
  get running(): boolean {
    return !this.done;
  }

  /** Sends `signal` to the child (ignored once it has exited). */
  signal(signal: NodeJS.Signals): void {
    if (this.done) return;
    try {
      this.proc.kill(signal);
    } catch {
      // already gone
    }
  }

  /** Stops the child gracefully: SIGINT now, SIGTERM after the grace period, SIGKILL after another. Idempotent. */
  stop(): void {
    if (this.done || this.stopping) return;
    this.stopping = true;
    this.signal('SIGINT');
    const later = (ms: number, signal: NodeJS.Signals): void => {
      const t = setTimeout(() => this.signal(signal), ms);
      t.unref();
      this.timers.push(t);
    };
    later(this.graceMs, 'SIGTERM');
    later(this.graceMs * 2, 'SIGKILL');
  }
}

/**
 * Starts the command; resolves once it runs, rejects when it cannot be started (not found, not executable).
 * @example
 * const child = await startChild({ command: 'node', args: ['train.mjs'], graceMs: 5000, output: 'inherit' });
 */
export function startChild(options: ChildOptions): Promise<SupervisedChild> {
  const out = options.output;
  const stdio = out === 'inherit' ? 'inherit' : out === 'stdoutToStderr' ? (['inherit', 2, 'inherit'] as const) : (['ignore', 'pipe', 'pipe'] as const);
  const proc = spawn(options.command, [...options.args], {
    stdio: typeof stdio === 'string' ? stdio : [...stdio],
    ...(options.env ? { env: options.env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  if (typeof out === 'object') {
    proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => out.stdout.write(chunk));
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => out.stderr.write(chunk));
  }
  return new Promise((resolve, reject) => {
    proc.once('spawn', () => resolve(new SupervisedChild(proc, options.graceMs)));
    proc.once('error', (error: NodeJS.ErrnoException) => reject(error));
  });
}

/**
 * The conventional shell exit code of a child: its code, or 128 + the signal number when a signal ended it.
 * @example
 * exitStatus({ code: null, signal: 'SIGINT' }) // 130
 */
export function exitStatus(exit: ChildExit): number {
  if (exit.code !== null) return exit.code;
  const n = exit.signal ? constants.signals[exit.signal] : undefined;
  return n === undefined ? 1 : 128 + n;
}
