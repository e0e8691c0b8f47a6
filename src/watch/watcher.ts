/**
 * The watch engine: on every tick, read what the log files gained, re-run the checks on each run that
 * received data (at most once per tick, on its bounded telemetry), and emit what is new: findings not
 * reported before, input problems, a status per updated run, and a `STALLED` finding for runs that
 * stopped growing. Verdicts that only make sense on a finished run ("train longer": C4, C10) wait until
 * the run looks finished: it stalls, it was already old when found, or the watch ends.
 * No console, no process: callers render the events and decide when to stop.
 */
import type { Check } from '../checks/check.js';
import { checks as registry } from '../checks/index.js';
import { diagnoseRun } from '../diagnose/diagnose.js';
import type { Finding, Severity } from '../findings/finding.js';
import type { Problem } from '../formats/reader.js';
import type { CurveTags } from '../telemetry/curves.js';
import type { Run } from '../telemetry/run.js';
import type { RunStatus, WatchEvents, WatchFinding, WatchSummary } from './events.js';
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
  /**
   * Pace the check passes (default true): a run's checks run again only after a few times the
   * duration of its last pass, within a time budget per tick. `false` checks every updated run on
   * every tick (deterministic tests, benchmarks).
   */
  readonly throttleChecks?: boolean;
  /** Clock in ms for stall detection (default `Date.now`), injectable for tests. */
  readonly now?: () => number;
}

/** Problem keys remembered for de-duplication; beyond this, new problems are only counted. */
const MAX_PROBLEM_KEYS = 10_000;
/** A run's checks run again only after this many times the duration of its last check pass. */
const CHECK_PAUSE_FACTOR = 3;
/** Check passes of one tick stop after this long; the other runs wait for the next tick. */
const CHECK_BUDGET_MS = 1000;
/**
 * Checks whose findings are verdicts on a finished run: mid-training, "still falling at the end, train
 * longer" (C4) and "loss still high, close to validation" (C10) are simply what training looks like.
 */
export const END_OF_RUN_CHECKS: ReadonlySet<string> = new Set(['C4', 'C10']);

/** What the engine keeps per run between ticks. */
interface RunState {
  readonly run: FollowedRun;
  /** Received data since its last check pass. */
  dirty: boolean;
  /** Its end-of-run checks ran on its current data. */
  ended: boolean;
  /** Reported as stalled (until it grows again). */
  stalled: boolean;
  /** Already finished when found (files older than the stall time): never reported as stalled. */
  old: boolean;
  /** When its checks last ran and how long they took (ms, performance clock). */
  lastCheck: { at: number; ms: number } | null;
}

/**
 * The engine, one tick at a time (sessions loop it; tests and benchmarks drive it directly).
 * @example
 * const watcher = new Watcher({ paths: ['runs/'] }, { finding: (e) => console.log(e.run, e.finding.check) });
 * await watcher.tick();
 */
export class Watcher {
  private readonly follower: Follower;
  private readonly log = new FindingLog();
  private readonly states = new Map<string, RunState>();
  private readonly statuses = new Map<string, RunStatus>();
  private readonly seenProblems = new Set<string>();
  private readonly counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  private problemCount = 0;
  private resolvedCount = 0;
  private readonly now: () => number;
  private readonly started: number;
  private readonly stallAfterMs: number;

  constructor(
    private readonly options: WatchOptions,
    private readonly events: WatchEvents = {},
  ) {
    this.follower = new Follower(options);
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.stallAfterMs = options.stallAfterMs ?? 300_000;
  }

  /**
   * Reads what changed and reports what is new. `final` (the last pass) also reports a partly written
   * last record and gives every run its end-of-run verdicts.
   * Never throws: an unexpected error becomes a `watch-failed` problem and watching goes on.
   */
  async tick(final = false): Promise<void> {
    try {
      await this.step(final);
    } catch (cause) {
      this.report([{ file: '', code: 'watch-failed', message: `watching failed this round and goes on: ${cause instanceof Error ? cause.message : String(cause)}` }]);
    }
  }

  /** Totals so far. */
  summary(): WatchSummary {
    return { runs: this.follower.runs.filter((r) => r.records > 0).length, findings: { ...this.counts }, resolved: this.resolvedCount, problems: this.problemCount, elapsedMs: this.now() - this.started };
  }

  /** The (bounded) telemetry of every run found so far. */
  runs(): Run[] {
    return this.follower.runs.map((r) => r.bounded.run);
  }

  /** The latest status of every run that has data. */
  status(): RunStatus[] {
    return [...this.statuses.values()];
  }

  private async step(final: boolean): Promise<void> {
    const now = this.now();
    const t = await this.follower.tick(now, final);
    for (const path of t.waiting) this.events.waiting?.(path);
    this.report(t.problems);
    for (const run of t.grown) {
      const state = this.state(run);
      if (state.stalled) this.log.forget(run.id, { check: STALLED, layer: null, tags: [] });
      state.stalled = false;
    }
    for (const run of t.updated) {
      const state = this.state(run);
      // A run seen for the first time with files older than the stall time is a finished run.
      if (state.lastCheck === null && Number.isFinite(this.stallAfterMs) && run.modifiedMs >= 0 && Date.now() - run.modifiedMs >= this.stallAfterMs) state.old = true;
      else if (state.lastCheck !== null) state.old = false;
      state.dirty = true;
      state.ended = false;
    }
    this.checkPending(final);
    if (!final) this.checkStalls(now);
  }

  private state(run: FollowedRun): RunState {
    let state = this.states.get(run.id);
    if (!state) {
      state = { run, dirty: false, ended: false, stalled: false, old: false, lastCheck: null };
      this.states.set(run.id, state);
    }
    return state;
  }

  /**
   * Re-runs the checks of runs that received data, each at most once per tick. Unless throttling is
   * off (or on the final pass), a run is checked again only after a pause of a few times its last
   * check pass, and a tick stops checking after a time budget; the runs left over stay pending, oldest
   * first next tick. So checking takes a bounded share of the time however many runs grow at once.
   */
  private checkPending(final: boolean): void {
    const throttle = !final && this.options.throttleChecks !== false;
    const started = performance.now();
    const pending = [...this.states.values()]
      .filter((s) => s.dirty || (final && !s.ended && s.run.records > 0))
      .sort((a, b) => (a.lastCheck?.at ?? -Infinity) - (b.lastCheck?.at ?? -Infinity));
    for (const state of pending) {
      const t0 = performance.now();
      if (throttle) {
        if (t0 - started > CHECK_BUDGET_MS) break;
        const last = state.lastCheck;
        if (last && t0 - last.at < Math.max(this.options.intervalMs ?? 500, CHECK_PAUSE_FACTOR * last.ms)) continue;
      }
      this.check(state, final || state.old || state.stalled);
      state.lastCheck = { at: t0, ms: performance.now() - t0 };
    }
  }

  /** One check pass on a run; `ended` includes the end-of-run verdicts. */
  private check(state: RunState, ended: boolean): void {
    const { run } = state;
    state.dirty = false;
    state.ended = ended;
    const telemetry = run.bounded.run;
    if (telemetry.scalars.size === 0 && telemetry.histograms.size === 0) return;
    const { report, problems } = diagnoseRun(telemetry, { checks: this.options.checks ?? registry, ...(this.options.tags ? { tags: this.options.tags } : {}) });
    this.report(problems);
    let worst: Finding | null = null;
    // Checks this pass judged: end-of-run verdicts only at the end; the stall notice is not a check.
    const judged = (check: string): boolean => check !== STALLED && (ended || !END_OF_RUN_CHECKS.has(check));
    const present: Finding[] = [];
    for (const finding of report.findings) {
      if (finding.evidence['insufficientData'] === true) continue;
      if (!judged(finding.check)) continue;
      worst ??= finding;
      present.push(finding);
      this.emit({ run: run.id, unit: report.unit, finding });
    }
    const step = (report.curves.trainLoss === null ? null : run.bounded.latest(report.curves.trainLoss)?.step) ?? run.bounded.lastStep();
    for (const finding of this.log.settle(run.id, present, judged)) {
      this.resolvedCount++;
      this.events.resolved?.({ run: run.id, unit: report.unit, finding, step });
    }
    const latest = (tag: string | null): { tag: string; value: number } | null => {
      const point = tag === null ? null : run.bounded.latest(tag);
      return tag !== null && point ? { tag, value: point.value } : null;
    };
    const trainTag = report.curves.trainLoss;
    this.setStatus({
      run: run.id,
      format: telemetry.format,
      step,
      unit: report.unit,
      trainLoss: latest(trainTag),
      valLoss: latest(report.curves.valLoss),
      worst,
      stalled: state.stalled,
    });
  }

  /** Reports runs that stopped growing, and gives them their end-of-run verdicts. */
  private checkStalls(now: number): void {
    if (!Number.isFinite(this.stallAfterMs)) return;
    for (const state of this.states.values()) {
      const { run } = state;
      if (state.stalled || state.old || now - run.lastGrowth < this.stallAfterMs) continue;
      state.stalled = true;
      const status = this.statuses.get(run.id);
      const lastStep = status?.step ?? run.bounded.lastStep();
      this.emit({ run: run.id, unit: status?.unit ?? 'step', finding: stalledFinding((now - run.lastGrowth) / 1000, this.stallAfterMs / 1000, lastStep) });
      if (!state.ended && run.records > 0) this.check(state, true);
      else if (status) this.setStatus({ ...status, stalled: true });
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
