/**
 * Every run under the served paths: found by discovery (again every few seconds, so new runs appear),
 * read in the background one after the other (a run a page asks for is read first), followed while
 * its files grow, and diagnosed (in a worker thread, see {@link DiagnosisPool}) after it was read and
 * again when data arrived. Listeners hear about added and updated runs and new findings (the server
 * turns them into Server-Sent Events).
 */
import { basename, relative, sep } from 'node:path';
import type { DiagnoseOptions } from '../diagnose/diagnose.js';
import { diagnoseRun } from '../diagnose/diagnose.js';
import { discoverRuns } from '../formats/discover.js';
import { readers as defaultReaders } from '../formats/index.js';
import type { FormatReader, Problem } from '../formats/reader.js';
import type { BoundedRunOptions } from '../watch/bounded-run.js';
import type { LiveEvents } from './api-types.js';
import type { DiagnosisResult } from './diagnosis-pool.js';
import { DiagnosisPool } from './diagnosis-pool.js';
import { ServedRoot } from './served-root.js';
import { ServedRun } from './served-run.js';

/** Options of a {@link RunStore}. */
export interface RunStoreOptions {
  /**
   * Log files or directories, as the user gave them. Nothing outside them is ever read: discovery
   * follows no symbolic link, and every open re-checks the file's real path (see {@link ServedRoot}).
   */
  readonly paths: readonly string[];
  readonly readers?: readonly FormatReader[];
  readonly diagnose?: DiagnoseOptions;
  /** How often to look for new runs and files, in ms (default 3000). */
  readonly rediscoverMs?: number;
  /** Size limits of each run's telemetry (default: 4096 points per scalar series, 256 histograms per histogram series). */
  readonly bounds?: BoundedRunOptions;
}

/** What a store tells its listeners. */
export type StoreEvent = { [K in keyof LiveEvents]: { readonly type: K; readonly data: LiveEvents[K] } }[keyof LiveEvents];

/** Re-diagnosis of a run waits at least this many times its last diagnosis took (so big runs do not hog the CPU). */
const DIAGNOSIS_BACKOFF = 5;

/**
 * The runs being served.
 * @example
 * const store = new RunStore({ paths: ['runs/'] });
 * await store.discover();
 * void store.loadAll();
 * setInterval(() => void store.tick(), 1000);
 * await store.close();
 */
export class RunStore {
  private readonly byId = new Map<string, ServedRun>();
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly readers: readonly FormatReader[];
  private readonly rediscoverMs: number;
  private lastDiscovery = -Infinity;
  private loader: Promise<void> | null = null;
  private readonly loads = new Map<string, Promise<void>>();
  private readonly pool: DiagnosisPool;
  /** Each served path's real path, resolved when first found (and fixed from then on). */
  private readonly roots = new Map<string, ServedRoot>();
  private closed = false;
  /** Problems found by the latest discovery (unreadable files; `no-logs` while a path is still empty). */
  discoveryProblems: Problem[] = [];

  constructor(private readonly options: RunStoreOptions) {
    this.readers = options.readers ?? defaultReaders;
    this.rediscoverMs = options.rediscoverMs ?? 3000;
    this.pool = new DiagnosisPool(options.diagnose ?? {});
  }

  /** The served paths, as given. */
  get paths(): readonly string[] {
    return this.options.paths;
  }

  /** Runs in discovery order. */
  list(): ServedRun[] {
    return [...this.byId.values()];
  }

  /** A run by its opaque id. */
  get(id: string): ServedRun | undefined {
    return this.byId.get(id);
  }

  /**
   * A run read (now, ahead of the background reading, if it was not yet; its diagnosis is then moved
   * to the front of the queue), or undefined for an unknown id. Does not wait for the diagnosis.
   */
  async ready(id: string): Promise<ServedRun | undefined> {
    const run = this.byId.get(id);
    if (!run) return undefined;
    await this.load(run, true);
    return run;
  }

  /** A run read and diagnosed at least once (waiting for its first diagnosis, moved to the front). */
  async diagnosed(id: string): Promise<ServedRun | undefined> {
    const run = await this.ready(id);
    if (run && run.latestReport === null) await this.requestDiagnosis(run, true).catch(() => undefined);
    return run;
  }

  /** The tags named on the command line (they override the conventions). */
  get tags(): NonNullable<RunStoreOptions['diagnose']>['tags'] {
    return this.options.diagnose?.tags;
  }

  /** Listens to store events; returns the function that stops listening. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Finds runs under the served paths (new ones are added as `pending`; known ones take new files). */
  async discover(now = Date.now()): Promise<void> {
    this.lastDiscovery = now;
    const problems: Problem[] = [];
    for (const root of this.options.paths) {
      let served = this.roots.get(root);
      if (!served) {
        served = await ServedRoot.resolve(root).catch(() => undefined);
        if (served) this.roots.set(root, served);
      }
      // Discovery follows no symbolic link below the served path (its default); opens re-check real paths.
      const found = await discoverRuns([root], this.readers);
      problems.push(...found.problems);
      if (!served) continue; // missing (discovery said so): nothing to open
      for (const source of found.runs) {
        const run = new ServedRun(source, displayName(root, source.id, this.options.paths.length), { root: served, ...(this.options.bounds ? { bounds: this.options.bounds } : {}) });
        const known = this.byId.get(run.id);
        if (known) {
          known.updateSource(source);
          continue;
        }
        this.byId.set(run.id, run);
        this.emit({ type: 'run-added', data: run.summary() });
      }
    }
    this.discoveryProblems = problems;
  }

  /**
   * Reads every run not read yet, one after the other, until all are read (runs discovered meanwhile
   * included). Calls while reading share the same pass.
   */
  loadAll(): Promise<void> {
    this.loader ??= (async () => {
      try {
        for (;;) {
          const next = this.list().find((r) => !r.isReady);
          if (!next || this.closed) return;
          await this.load(next);
        }
      } finally {
        this.loader = null;
      }
    })();
    return this.loader;
  }

  /**
   * Resolves once every run found so far is read and diagnosed (for tests and benchmarks).
   * @example
   * await store.settle();
   */
  async settle(): Promise<void> {
    await this.loadAll();
    for (const run of this.list()) await this.diagnosed(run.id);
  }

  /**
   * One round of following: rediscover when due, read what the files of read runs gained, diagnose
   * runs that got data (no more often than their diagnosis cost allows) and tell listeners.
   */
  async tick(now = Date.now()): Promise<void> {
    if (now - this.lastDiscovery >= this.rediscoverMs) {
      await this.discover(now);
      if (this.list().some((r) => !r.isReady)) void this.loadAll();
    }
    for (const run of this.list()) {
      if (this.closed) return;
      const grew = await run.refresh();
      if (grew) this.emit({ type: 'run-updated', data: run.summary() });
      if (run.dirty && run.latestReport !== null && !this.pool.has(run.id) && now - run.diagnosedAt >= DIAGNOSIS_BACKOFF * run.diagnosisMs) {
        void this.requestDiagnosis(run, false).catch(() => undefined);
      }
    }
  }

  /** Stops background reading after the run being read, and the diagnosis worker. */
  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await this.pool.close();
  }

  /** Reads a run once (concurrent callers share the read) and queues its first diagnosis. */
  private load(run: ServedRun, urgent = false): Promise<void> {
    if (run.isReady) {
      if (urgent && run.latestReport === null) void this.requestDiagnosis(run, true).catch(() => undefined);
      return Promise.resolve();
    }
    let pending = this.loads.get(run.id);
    if (!pending) {
      pending = (async () => {
        await run.ensureLoaded();
        this.emit({ type: 'run-updated', data: run.summary() });
        void this.requestDiagnosis(run, urgent).catch(() => undefined);
      })().finally(() => this.loads.delete(run.id));
      this.loads.set(run.id, pending);
    } else if (urgent) void pending.then(() => this.requestDiagnosis(run, true)).catch(() => undefined);
    return pending;
  }

  /** Queues a diagnosis of the run's latest data; listeners hear the result. */
  private requestDiagnosis(run: ServedRun, urgent: boolean): Promise<void> {
    return this.pool
      .diagnose(run.id, () => run.run, () => run.diagnosisStarted(), urgent)
      .catch((cause: unknown): DiagnosisResult => {
        if (this.closed) throw cause;
        // The worker could not diagnose this run (it should not happen): run the checks here instead.
        const t0 = performance.now();
        return { ...diagnoseRun(run.run, this.options.diagnose ?? {}), ms: performance.now() - t0 };
      })
      .then((result) => {
        if (this.closed) return;
        const fresh = run.applyDiagnosis(result);
        this.emit({ type: 'run-updated', data: run.summary() });
        if (fresh.length > 0) this.emit({ type: 'findings', data: { id: run.id, unit: run.latestReport?.unit ?? 'step', findings: fresh } });
      });
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** A run's name relative to the path it was found under (its base name when it is that path). */
function displayName(root: string, id: string, roots: number): string {
  if (roots > 1) return id;
  if (id === root) return basename(root);
  const rel = relative(root, id);
  return rel.startsWith('..') ? id : rel.split(sep).join('/');
}
