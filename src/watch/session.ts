/**
 * A whole `watch` session: the watch engine, optionally the training command it watches (`--exec`,
 * stopped gracefully on a finding at or above `stopOn`), and the finding hook. Ends when `signal`
 * aborts (without a command) or when the command exits; then one final read and check pass.
 */
import type { Finding, Severity } from '../findings/finding.js';
import { severityRank } from '../findings/finding.js';
import type { ChildExit, ChildOptions, SupervisedChild } from './child.js';
import { startChild } from './child.js';
import type { FindingHooksOptions } from './hooks.js';
import { FindingHooks } from './hooks.js';
import { findingJson, resolvedJson } from './render.js';
import type { WatchEvents, WatchFinding, WatchSummary } from './events.js';
import type { WatchOptions } from './watcher.js';
import { Watcher } from './watcher.js';

/** Options of {@link startWatchSession}. */
export interface SessionOptions extends WatchOptions {
  /** The training command to start and watch. */
  readonly exec?: ChildOptions & {
    /** Stop the command on a finding at or above this severity (null: never). */
    readonly stopOn: Severity | null;
  };
  /** The command run once per new finding with its JSON on stdin. */
  readonly onFinding?: FindingHooksOptions;
  /** The command run once per resolved finding with its JSON (`type: "resolved"`) on stdin. */
  readonly onResolved?: FindingHooksOptions;
  /** How long to wait at the end for running hooks, ms (default 10 000). */
  readonly hookDrainMs?: number;
}

/** Events of a session: the engine's, plus what the session does itself. */
export interface SessionEvents extends WatchEvents {
  /** The command is being stopped because of `event`. */
  stopping?(info: { readonly pid: number; readonly event: WatchFinding }): void;
  /** A hook failed, or hook calls were dropped. */
  hookFailed?(message: string): void;
}

/** How a session ended. */
export interface SessionOutcome {
  readonly summary: WatchSummary;
  /** How the command ended, when there was one. */
  readonly child: ChildExit | null;
  /** The first finding at or above `stopOn` (whether or not the command was still running). */
  readonly stopFinding: WatchFinding | null;
}

/** A running session. */
export interface WatchSession {
  /** Process id of the command (`--exec`), or null. */
  readonly pid: number | null;
  /** Sends a signal to the command (the CLI forwards its own signals through this). */
  signalChild(signal: NodeJS.Signals): void;
  readonly done: Promise<SessionOutcome>;
}

/**
 * Starts a session. Rejects only when the command cannot be started.
 * @example
 * const session = await startWatchSession({ paths: ['runs/'], exec: { command: 'python', args: ['train.py'], graceMs: 10_000, output: 'inherit', stopOn: 'error' } }, events, signal);
 * const { child, stopFinding } = await session.done;
 */
export async function startWatchSession(options: SessionOptions, events: SessionEvents, signal: AbortSignal): Promise<WatchSession> {
  const hooks = options.onFinding ? new FindingHooks(options.onFinding, (m) => events.hookFailed?.(m)) : null;
  const resolvedHooks = options.onResolved ? new FindingHooks({ flag: '--on-resolved', ...options.onResolved }, (m) => events.hookFailed?.(m)) : null;
  let child: SupervisedChild | null = null;
  let stopFinding: WatchFinding | null = null;
  const stopOn = options.exec?.stopOn ?? null;
  const watcher = new Watcher(options, {
    ...events,
    resolved(event) {
      events.resolved?.(event);
      resolvedHooks?.run({ json: resolvedJson(event), vars: { ...hookVars(event), NNDOCTOR_RESOLVED_STEP: event.step === null ? '' : String(event.step) }, label: `${event.finding.check} on ${event.run}` });
    },
    finding(event) {
      events.finding?.(event);
      hooks?.run({ json: findingJson(event), vars: hookVars(event), label: `${event.finding.check} on ${event.run}` });
      if (stopOn !== null && stopFinding === null && severityRank(event.finding.severity) >= severityRank(stopOn)) {
        stopFinding = event;
        if (child?.running) {
          events.stopping?.({ pid: child.pid, event });
          child.stop();
        }
      }
    },
  });
  if (options.exec) child = await startChild(options.exec);
  const running = child;
  const wake = new AbortController();
  const onAbort = (): void => {
    // Without a command, an abort ends the watch; with one, it stops the command (the watch ends with it).
    if (running) running.stop();
    else wake.abort();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();
  const exitPromise = running?.exited.then((exit) => {
    wake.abort();
    return exit;
  });
  const done = (async (): Promise<SessionOutcome> => {
    const interval = options.intervalMs ?? 500;
    while (!wake.signal.aborted) {
      const started = Date.now();
      await watcher.tick();
      await pause(Math.max(10, interval - (Date.now() - started)), wake.signal);
    }
    const exit = exitPromise ? await exitPromise : null;
    await watcher.tick(true);
    signal.removeEventListener('abort', onAbort);
    await Promise.all([hooks?.drain(options.hookDrainMs ?? 10_000), resolvedHooks?.drain(options.hookDrainMs ?? 10_000)]);
    return { summary: watcher.summary(), child: exit, stopFinding };
  })();
  return {
    pid: running ? running.pid : null,
    signalChild: (sig) => running?.signal(sig),
    done,
  };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Variables for the hook's environment, for notifiers that take arguments rather than JSON. */
function hookVars(event: Pick<WatchFinding, 'run' | 'finding'>): Record<string, string> {
  const f: Finding = event.finding;
  return {
    NNDOCTOR_RUN: event.run,
    NNDOCTOR_CHECK: f.check,
    NNDOCTOR_SEVERITY: f.severity,
    NNDOCTOR_TITLE: f.title,
    NNDOCTOR_MESSAGE: f.message,
    NNDOCTOR_STEPS: f.steps ? `${f.steps[0]}-${f.steps[1]}` : '',
  };
}
