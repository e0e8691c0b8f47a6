/**
 * The diagnosis worker thread: runs the checks on runs posted by the dashboard server, so a long run's
 * diagnosis (seconds for millions of points) never blocks the server's event loop.
 * Message in: `{ job, run, checks: string[] | null, tags }`; out: `{ job, report, problems, ms }` or `{ job, error }`.
 */
import { parentPort } from 'node:worker_threads';
import { checks as registry } from '../checks/index.js';
import type { CurveTags } from '../telemetry/curves.js';
import type { Run } from '../telemetry/run.js';
import { diagnoseRun } from '../diagnose/diagnose.js';

interface Job {
  readonly job: number;
  readonly run: Run;
  readonly checks: readonly string[] | null;
  readonly tags: CurveTags;
}

parentPort?.on('message', (msg: Job) => {
  const t0 = performance.now();
  try {
    const checks = msg.checks === null ? registry : registry.filter((c) => msg.checks?.includes(c.id));
    const { report, problems } = diagnoseRun(msg.run, { checks, tags: msg.tags });
    parentPort?.postMessage({ job: msg.job, report, problems, ms: performance.now() - t0 });
  } catch (cause) {
    parentPort?.postMessage({ job: msg.job, error: cause instanceof Error ? cause.message : String(cause) });
  }
});
