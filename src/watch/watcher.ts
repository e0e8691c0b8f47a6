/**
 * The watch engine: on every tick, read what the log files gained, re-run the checks on each run that
 * received data (once per tick, on its bounded telemetry), and emit what is new: findings not reported
 * before, input problems, a status per updated run, and a `STALLED` finding for runs that stopped
 * growing. No console, no process: callers render the events and decide when to stop (AbortSignal).
 */
import type { Check } from '../checks/check.js';
import { checks as registry } from '../checks/index.js';
import { diagnoseRun } from '../diagnose/diagnose.js';
import type { Finding, Severity } from '../findings/finding.js';
import type { Problem } from '../formats/reader.js';
import type { CurveTags } from '../telemetry/curves.js';
import type { Run } from '../telemetry/run.js';
import type { StepUnit } from '../telemetry/series.js';
import { FindingLog } from './finding-log.js';
import type { FollowedRun, FollowerOptions } from './follower.js';
import { Follower } from './follower.js';
import { STALLED, stalledFinding } from './stalled.js';

/** Options of {@link Watcher}. */
export interface WatchOptions extends FollowerOptions {
  /** Checks to run (default: the whole registry). */
  readonly checks?: readonly Check[];
  /** Tags named explicitly, overriding the conventions. */
  readonly tags?: CurveTags;
  /** Time between ticks in ms (default 500). */
  readonly intervalMs?: number;
  /** A run with no growth for this long (ms) gets a `STALLED` info finding (default 300 000). */
  readonly stallAfterMs?: number;
  /** Clock in ms (default `Date.now`), injectable for tests. */
  readonly now?: () => number;
}

/** A finding reported for the first time (or more severe than before). */
export interface WatchFinding {
  readonly run: string;
  /** How to read `finding.steps`: optimiser steps or epochs. */
  readonly unit: StepUnit;
  readonly finding: Finding;
}

/** The live state of one run, for status lines. */
export interface RunStatus {
  readonly run: string;
  readonly format: string;
  /** Latest step of the training loss (or of any series), raw. */
  readonly step: number | null;
  readonly unit: StepUnit;
  readonly trainLoss: { readonly tag: string; readonly value: number } | null;
  readonly valLoss: { readonly tag: string; readonly value: number } | null;
  /** The worst current finding (ignoring too-little-data notes), or null. */
  readonly worst: Finding | null;
  readonly stalled: boolean;
}

/** Where the engine reports. Every callback is optional. */
export interface WatchEvents {
  finding?(event: WatchFinding): void;
  problem?(problem: Problem): void;
  status?(status: RunStatus): void;
  /** A given path holds no log (yet); reported once per path. */
  waiting?(path: string): void;
}

/** Totals at the end of a watch. */
export interface WatchSummary {
  readonly runs: number;
  readonly findings: Record<Severity, number>;
  readonly problems: number;
  readonly elapsedMs: number;
}

/** Problem keys remembered for de-duplication; beyond this, new problems are only counted. */
const MAX_PROBLEM_KEYS = 10_000;

/**
 * The engine, one tick at a time (sessions loop it; tests and benchmarks drive it directly).
 * @example
 * const watcher = new Watcher({ paths: ['runs/'] }, { finding: (e) => console.log(e.run, e.finding.check) });
 * await watcher.tick();
 */
export class Watcher {
  private readonly follower: Follower;
  private readonly log = new FindingLog();
  private readonly stalled = new Set<string>();
  private readonly statuses = new Map<string, RunStatus>();
  private readonly seenProblems = new Set<string>();
  private readonly counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  private problemCount = 0;
  private readonly now: () => number;
  private readonly started: number;

  constructor(
    private readonly options: WatchOptions,
    private readonly events: WatchEvents = {},
  ) {
    this.follower = new Follower(options);
    this.now = options.now ?? Date.now;
    this.started = this.now();
  }

  /**
   * Reads what changed and reports what is new. `final` also reports a partly written last record.
   * Never throws: an unexpected error becomes a `watch-failed` problem and watching goes on.
   */
  async tick(final = false): Promise<void> {
    try {
      await this.step(final);
    } catch (cause) {
      this.report([{ file: '', code: 'watch-failed', message: `watching failed this round and goes on: ${cause instanceof Error ? cause.message : String(cause)}` }]);
    }
  }

  private async step(final: boolean): Promise<void> {
    const now = this.now();
    const t = await this.follower.tick(now, final);
    for (const path of t.waiting) this.events.waiting?.(path);
    this.report(t.problems);
    for (const run of t.grown) {
      if (this.stalled.delete(run.id)) this.log.forget(run.id, { check: STALLED, layer: null, tags: [] });
    }
    const toCheck = final ? this.follower.runs.filter((r) => r.records > 0) : t.updated;
    for (const run of toCheck) this.check(run);
    if (!final) this.checkStalls(now);
  }

  /** Totals so far. */
  summary(): WatchSummary {
    return { runs: this.follower.runs.filter((r) => r.records > 0).length, findings: { ...this.counts }, problems: this.problemCount, elapsedMs: this.now() - this.started };
  }

  /** The (bounded) telemetry of every run found so far. */
  runs(): Run[] {
    return this.follower.runs.map((r) => r.bounded.run);
  }

  /** The latest status of every run that has data. */
  status(): RunStatus[] {
    return [...this.statuses.values()];
  }

  private check(run: FollowedRun): void {
    const telemetry = run.bounded.run;
    if (telemetry.scalars.size === 0 && telemetry.histograms.size === 0) return;
    const { report, problems } = diagnoseRun(telemetry, { checks: this.options.checks ?? registry, ...(this.options.tags ? { tags: this.options.tags } : {}) });
    this.report(problems);
    let worst: Finding | null = null;
    for (const finding of report.findings) {
      if (finding.evidence['insufficientData'] === true) continue;
      worst ??= finding;
      this.emit({ run: run.id, unit: report.unit, finding });
    }
    const latest = (tag: string | null): { tag: string; value: number } | null => {
      const point = tag === null ? null : run.bounded.latest(tag);
      return tag !== null && point ? { tag, value: point.value } : null;
    };
    const trainTag = report.curves.trainLoss;
    this.setStatus({
      run: run.id,
      format: telemetry.format,
      step: (trainTag === null ? null : run.bounded.latest(trainTag)?.step) ?? run.bounded.lastStep(),
      unit: report.unit,
      trainLoss: latest(trainTag),
      valLoss: latest(report.curves.valLoss),
      worst,
      stalled: this.stalled.has(run.id),
    });
  }

  private checkStalls(now: number): void {
    const after = this.options.stallAfterMs ?? 300_000;
    if (!Number.isFinite(after)) return;
    for (const run of this.follower.runs) {
      if (this.stalled.has(run.id) || now - run.lastGrowth < after) continue;
      this.stalled.add(run.id);
      const status = this.statuses.get(run.id);
      const lastStep = status?.step ?? run.bounded.lastStep();
      this.emit({ run: run.id, unit: status?.unit ?? 'step', finding: stalledFinding((now - run.lastGrowth) / 1000, after / 1000, lastStep) });
      if (status) this.setStatus({ ...status, stalled: true });
    }
  }

  private emit(event: WatchFinding): void {
    if (!this.log.isNew(event.run, event.finding)) return;
    this.counts[event.finding.severity]++;
    this.events.finding?.(event);
  }

  private setStatus(status: RunStatus): void {
    this.statuses.set(status.run, status);
    this.events.status?.(status);
  }

  private report(problems: readonly Problem[]): void {
    for (const p of problems) {
      const key = `${p.file}\u0000${p.code}\u0000${p.message}`;
      if (this.seenProblems.has(key) || this.seenProblems.size >= MAX_PROBLEM_KEYS) continue;
      this.seenProblems.add(key);
      this.problemCount++;
      this.events.problem?.(p);
    }
  }
}
