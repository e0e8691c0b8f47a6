/**
 * Diagnosis off the server's event loop: one worker thread runs the checks on one run at a time, in
 * order, with runs a page is waiting for first. A run queued twice is diagnosed once, on its latest
 * data (the data is copied to the worker when its turn comes). Without a worker (custom checks that
 * are not in the registry, or no way to start one) the checks run inline.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { checks as registry } from '../checks/index.js';
import type { DiagnoseOptions, RunReport } from '../diagnose/diagnose.js';
import { diagnoseRun } from '../diagnose/diagnose.js';
import type { Problem } from '../formats/reader.js';
import type { Run } from '../telemetry/run.js';

/** A finished diagnosis and how long the checks took (ms). */
export interface DiagnosisResult {
  readonly report: RunReport;
  readonly problems: Problem[];
  readonly ms: number;
}

interface Queued {
  readonly key: string;
  /** The run's telemetry when its turn comes; `onStart` is told when it was taken. */
  readonly take: () => Run;
  readonly onStart: () => void;
  readonly promise: Promise<DiagnosisResult>;
  readonly resolve: (r: DiagnosisResult) => void;
  readonly reject: (e: unknown) => void;
}

type WorkerReply = { job: number; report: RunReport; problems: Problem[]; ms: number } | { job: number; error: string };

/** How to start the worker: the compiled `.js` next to this module, or the `.ts` source through tsx (development, tests). */
function startWorker(): Worker | null {
  const js = new URL('./diagnosis-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js);
  const ts = new URL('./diagnosis-worker.ts', import.meta.url);
  if (!existsSync(fileURLToPath(ts))) return null;
  let api: string;
  try {
    api = new URL('dist/esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json'))).href;
  } catch {
    return null;
  }
  const boot = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ts.href)}); })`;
  return new Worker(boot, { eval: true });
}

/**
 * The diagnosis queue.
 * @example
 * const pool = new DiagnosisPool({});
 * const { report } = await pool.diagnose('run-a', () => run, () => undefined, true);
 * await pool.close();
 */
export class DiagnosisPool {
  private worker: Worker | null = null;
  private broken = false;
  private readonly queue: Queued[] = [];
  private running: (Queued & { job: number }) | null = null;
  private jobs = 0;
  private closed = false;
  private readonly checkIds: string[] | null;
  private readonly inline: boolean;

  constructor(private readonly options: DiagnoseOptions) {
    const ids = new Set(registry.map((c) => c.id));
    const custom = options.checks?.some((c) => !ids.has(c.id) || registry.find((r) => r.id === c.id) !== c) ?? false;
    this.inline = custom;
    this.checkIds = options.checks ? options.checks.map((c) => c.id) : null;
  }

  /**
   * Diagnoses the run `key` (its telemetry from `take()` when its turn comes). While it waits, asking
   * again returns the same promise; `urgent` moves it to the front.
   */
  diagnose(key: string, take: () => Run, onStart: () => void, urgent = false): Promise<DiagnosisResult> {
    const at = this.queue.findIndex((q) => q.key === key);
    if (at >= 0) {
      const found = this.queue[at] as Queued;
      if (urgent && at > 0) {
        this.queue.splice(at, 1);
        this.queue.unshift(found);
      }
      return found.promise;
    }
    let resolve!: (r: DiagnosisResult) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<DiagnosisResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const entry: Queued = { key, take, onStart, promise, resolve, reject };
    if (urgent) this.queue.unshift(entry);
    else this.queue.push(entry);
    this.pump();
    return promise;
  }

  /** Where the checks run: in the worker thread, or inline (no worker could start, or custom checks). */
  get mode(): 'worker' | 'inline' {
    return this.inline || this.broken ? 'inline' : 'worker';
  }

  /** Whether run `key` waits or is being diagnosed. */
  has(key: string): boolean {
    return this.running?.key === key || this.queue.some((q) => q.key === key);
  }

  /** Stops the worker; waiting diagnoses are dropped (their promises reject). */
  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.reject(new Error('dashboard closed'));
    this.running?.reject(new Error('dashboard closed'));
    this.running = null;
    await this.worker?.terminate();
    this.worker = null;
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const next = this.queue.shift();
    if (!next) return;
    const job = ++this.jobs;
    this.running = { ...next, job };
    const run = next.take();
    next.onStart();
    const worker = this.inline || this.broken ? null : this.ensureWorker();
    if (!worker) {
      // Inline: still asynchronous for the caller, so a queue of runs lets requests in between.
      setImmediate(() => {
        try {
          const t0 = performance.now();
          const { report, problems } = diagnoseRun(run, this.options);
          this.finish(job, { report, problems, ms: performance.now() - t0 });
        } catch (cause) {
          this.fail(job, cause);
        }
      });
      return;
    }
    try {
      worker.postMessage({ job, run, checks: this.checkIds, tags: this.options.tags ?? {} });
    } catch (cause) {
      this.fail(job, cause);
    }
  }

  private ensureWorker(): Worker | null {
    if (this.worker) return this.worker;
    let worker: Worker | null;
    try {
      worker = startWorker();
    } catch {
      worker = null;
    }
    if (!worker) {
      this.broken = true;
      return null;
    }
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      if ('error' in reply) this.fail(reply.job, new Error(reply.error));
      else this.finish(reply.job, reply);
    });
    const lost = (cause: unknown): void => {
      // The worker died (or could not load): run the checks inline from now on.
      this.worker = null;
      this.broken = true;
      const running = this.running;
      if (running && !this.closed) {
        this.running = null;
        this.queue.unshift(running);
        this.pump();
      }
      void cause;
    };
    worker.on('error', lost);
    worker.on('exit', (code) => {
      if (!this.closed && this.worker === worker) lost(new Error(`diagnosis worker exited with code ${code}`));
    });
    this.worker = worker;
    return worker;
  }

  private finish(job: number, result: DiagnosisResult): void {
    if (this.running?.job !== job) return;
    const done = this.running;
    this.running = null;
    done.resolve({ report: result.report, problems: result.problems, ms: result.ms });
    this.pump();
  }

  private fail(job: number, cause: unknown): void {
    if (this.running?.job !== job) return;
    const done = this.running;
    this.running = null;
    done.reject(cause);
    this.pump();
  }
}
