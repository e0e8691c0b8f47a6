/**
 * `--on-finding <command>`: a shell command run once per new finding with the finding as one JSON line
 * on its stdin (and NNDOCTOR_* variables), enough to post to a chat webhook or a desktop notifier.
 * A few run at a time; the rest wait in a bounded queue. A failing or hanging hook is reported through
 * a callback and never stops the watch.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';

/** Options of {@link FindingHooks}. */
export interface FindingHooksOptions {
  /** Shell command line. */
  readonly command: string;
  /** The option that set the command, for messages (default `--on-finding`). */
  readonly flag?: string;
  /** Base environment of the hook (the caller's environment). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Hooks running at once (default 3). */
  readonly maxConcurrent?: number;
  /** Hooks waiting to run; beyond this the oldest waiting one is dropped (default 100). */
  readonly maxQueued?: number;
  /** A hook running longer than this is killed (default 30 000 ms). */
  readonly timeoutMs?: number;
}

/** One hook invocation: the JSON line for stdin, variables, and a label for failure messages. */
export interface HookCall {
  readonly json: string;
  readonly vars: Readonly<Record<string, string>>;
  readonly label: string;
}

const STDERR_TAIL = 400;

/**
 * Runs the finding hook.
 * @example
 * const hooks = new FindingHooks({ command: 'notify-send "nndoctor" "$NNDOCTOR_MESSAGE"', env: process.env }, (m) => console.error(m));
 * hooks.run({ json: '{"type":"finding",...}', vars: { NNDOCTOR_CHECK: 'C6' }, label: 'C6 on runs/a' });
 * await hooks.drain(10_000);
 */
export class FindingHooks {
  private readonly queue: HookCall[] = [];
  private readonly running = new Set<ChildProcess>();
  private idle: Array<() => void> = [];

  constructor(
    private readonly options: FindingHooksOptions,
    private readonly onFailure: (message: string) => void,
  ) {}

  /** Queues one call; it starts at once when fewer than `maxConcurrent` hooks run. */
  run(call: HookCall): void {
    this.queue.push(call);
    const max = this.options.maxQueued ?? 100;
    if (this.queue.length > max) {
      const dropped = this.queue.shift();
      this.onFailure(`${this.options.flag ?? '--on-finding'}: more than ${max} calls waiting; skipped the one for ${dropped?.label ?? '?'}`);
    }
    this.pump();
  }

  /** Waits for queued and running hooks, at most `timeoutMs`; then kills what still runs. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.queue.length === 0 && this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    });
    const finished = new Promise<boolean>((resolve) => this.idle.push(() => resolve(false)));
    const late = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    if (late) {
      this.onFailure(`--on-finding: ${this.running.size} call(s) still running after ${Math.round(timeoutMs / 1000)} s at exit were stopped, ${this.queue.length} never ran`);
      this.queue.length = 0;
      for (const p of this.running) p.kill('SIGTERM');
    }
  }

  private pump(): void {
    while (this.running.size < (this.options.maxConcurrent ?? 3)) {
      const call = this.queue.shift();
      if (!call) break;
      this.start(call);
    }
    if (this.queue.length === 0 && this.running.size === 0) {
      const waiting = this.idle;
      this.idle = [];
      for (const resolve of waiting) resolve();
    }
  }

  private start(call: HookCall): void {
    let stderr = '';
    let settled = false;
    const proc = spawn(this.options.command, { shell: true, stdio: ['pipe', 'ignore', 'pipe'], env: { ...this.options.env, ...call.vars } });
    this.running.add(proc);
    const timer = setTimeout(() => {
      fail(`did not finish within ${Math.round((this.options.timeoutMs ?? 30_000) / 1000)} s; stopped it`);
      proc.kill('SIGTERM');
    }, this.options.timeoutMs ?? 30_000);
    timer.unref();
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      const tail = stderr.trim().slice(-STDERR_TAIL);
      this.onFailure(`${this.options.flag ?? '--on-finding'} command for ${call.label} ${why}${tail ? `: ${tail}` : ''}`);
    };
    const finish = (): void => {
      clearTimeout(timer);
      this.running.delete(proc);
      this.pump();
    };
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4 * STDERR_TAIL);
    });
    proc.stdin?.on('error', () => undefined); // a hook that does not read its stdin
    proc.stdin?.end(`${call.json}\n`);
    proc.once('error', (error) => {
      fail(`could not start (${error.message})`);
      finish();
    });
    proc.once('close', (code, signal) => {
      if (code !== 0) fail(code === null ? `was ended by ${signal ?? 'a signal'}` : `exited with code ${code}`);
      finish();
    });
  }
}
