/**
 * One run as the dashboard holds it: its telemetry (read lazily, then followed while its files grow,
 * from where each file's reader stopped), its latest diagnosis, and what changed since.
 * - Memory is bounded as the files are read: the telemetry is a {@link BoundedRun} (as `watch` keeps),
 *   at most `maxPoints` points per scalar series (bucket means, non-finite values kept at their step)
 *   and `maxHistograms` snapshots per histogram series, however long the run. Runs below the bounds
 *   are held exactly.
 * - Only the files discovery found for the run are ever opened, and each open first resolves the
 *   file's real path: one that resolves outside the served path (a file or folder swapped for a
 *   symbolic link after discovery) is not read (an `outside-root` problem), see {@link ServedRoot}.
 * - A file replaced at its path (another inode), shrunk, or whose first bytes changed (a CSV rewritten
 *   with a new header) makes the whole run be read again (see `watch/file-mark.ts`).
 */
import { createHash } from 'node:crypto';
import type { CurveRoles, RunReport } from '../diagnose/diagnose.js';
import type { Finding, Severity } from '../findings/finding.js';
import { severityRank } from '../findings/finding.js';
import type { RunSource } from '../formats/discover.js';
import type { Problem, ReadCursor } from '../formats/reader.js';
import type { Curve, CurveTags } from '../telemetry/curves.js';
import { resolveCurves, toCurve } from '../telemetry/curves.js';
import type { Run } from '../telemetry/run.js';
import type { BoundedRunOptions } from '../watch/bounded-run.js';
import { BoundedRun } from '../watch/bounded-run.js';
import type { FileMark } from '../watch/file-mark.js';
import { compareMarks, isRestart, markFile } from '../watch/file-mark.js';
import type { Health, LastValue, RunSummary } from './api-types.js';
import type { DiagnosisResult } from './diagnosis-pool.js';
import type { ServedRoot } from './served-root.js';

/** Points kept per scalar series by default: enough for a chart 4096 px wide, and a bounded diagnosis. */
export const SERVED_MAX_POINTS = 4096;
/** Problem codes that are normal while a file is being written (a partly written last record). */
const TAIL_CODES = new Set(['truncated']);
/** A partly written last record is shown as a problem once its file was not written for this long (ms): then it was cut short. */
const TAIL_GRACE_MS = 30_000;
/** Cached computed values per run (downsampled ranges ...) before the cache starts over. */
const MAX_MEMO = 128;
/** Problems kept per file (a log written with a bad record every step must not fill the memory). */
const MAX_FILE_PROBLEMS = 100;

interface FileState {
  readonly path: string;
  readonly prefix: string;
  cursor: ReadCursor | undefined;
  /** The file as of the latest read (undefined before the first). */
  mark: FileMark | undefined;
  /** Problems of earlier reads (kept) and of the latest read (tail problems are replaced by the next read). */
  problems: Problem[];
  tail: Problem[];
  /** Set while the file resolves outside the served path (it is then not read). */
  refused: Problem | null;
}

/** Options of a {@link ServedRun}. */
export interface ServedRunOptions {
  /**
   * The served path the run was found under: every open re-checks that the file's real path is inside
   * it. Without it (library use on trusted paths) files are opened as discovery named them.
   */
  readonly root?: ServedRoot;
  /** Size limits of the telemetry kept (default: {@link SERVED_MAX_POINTS} points per scalar series). */
  readonly bounds?: BoundedRunOptions;
}

/**
 * The opaque id of a run in URLs: a hash of its display id, stable across restarts of the server.
 * @example
 * runKey('logs/version_0') // 'a1b2c3d4e5f6'
 */
export function runKey(sourceId: string): string {
  return createHash('sha256').update(sourceId).digest('hex').slice(0, 12);
}

function findingKey(f: Finding): string {
  return `${f.check}\u0000${f.severity}\u0000${f.layer ?? ''}\u0000${f.tags.join(',')}`;
}

/** The exact latest raw point of a series (not a bucket mean). */
function lastValue(bounded: BoundedRun, tag: string | null): LastValue | null {
  const point = tag === null ? null : bounded.latest(tag);
  if (tag === null || point === null) return null;
  const v = point.value;
  return { tag, step: point.step, value: Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity' };
}

/**
 * A run being served.
 * @example
 * const served = new ServedRun(source, 'my_run');
 * await served.ensureLoaded();
 * served.applyDiagnosis(await pool.diagnose(served.id, () => served.run, () => served.diagnosisStarted()));
 * served.summary().health // 'warning'
 */
export class ServedRun {
  /** Opaque id used in URLs. */
  readonly id: string;
  /** Display name (relative to the served path). */
  readonly name: string;
  private source: RunSource;
  private readonly root: ServedRoot | undefined;
  private readonly bounds: BoundedRunOptions;
  private bounded: BoundedRun;
  private files: FileState[];
  private ready = false;
  private needsReload = false;
  private loading: Promise<void> | null = null;
  private lock: Promise<unknown> = Promise.resolve();
  private report: RunReport | null = null;
  private checkProblems: Problem[] = [];
  private findingKeys: Set<string> | null = null;
  private curveCache = new Map<string, Curve>();
  private cacheVersion = -1;
  private readonly memo = new Map<string, unknown>();
  /** Grows with every read that brought data (and every full re-read). */
  version = 0;
  /** When the run's files were last written (ms since the Unix epoch), as of the latest read. */
  updatedAt = 0;
  /** Data arrived since the last diagnosis. */
  dirty = false;
  /** Clock time of the last diagnosis and how long it took (ms), for throttling re-diagnosis. */
  diagnosedAt = 0;
  diagnosisMs = 0;

  constructor(source: RunSource, name: string, options: ServedRunOptions = {}) {
    this.id = runKey(source.id);
    this.name = name;
    this.source = source;
    this.root = options.root;
    this.bounds = { maxPoints: SERVED_MAX_POINTS, ...options.bounds };
    this.bounded = new BoundedRun(source.id, source.reader.name, this.bounds);
    this.files = this.fileStates(source);
  }

  /** Whether the run has been read. */
  get isReady(): boolean {
    return this.ready;
  }

  /** The telemetry read so far (bounded). */
  get run(): Run {
    return this.bounded.run;
  }

  /** The latest diagnosis, or null before the first. */
  get latestReport(): RunReport | null {
    return this.report;
  }

  /** The discovered files, as discovery named them. */
  get filePaths(): string[] {
    return this.files.map((f) => f.path);
  }

  /**
   * Input problems of the run's files and of its checks. A partly written last record counts only
   * when its file has not been written for a while (until then it is a record being written).
   */
  get problems(): Problem[] {
    const now = Date.now();
    const tail = (f: FileState): Problem[] => (f.mark !== undefined && now - f.mark.mtimeMs >= TAIL_GRACE_MS ? f.tail : []);
    return [...this.files.flatMap((f) => [...f.problems, ...tail(f), ...(f.refused ? [f.refused] : [])]), ...this.checkProblems];
  }

  /**
   * Takes a newer discovery of the same run: a new file (a restart's new event file, a newer
   * checkpoint) makes the run be read again from the start on the next refresh.
   */
  updateSource(source: RunSource): void {
    const known = this.files.map((f) => `${f.prefix}\u0000${f.path}`).join('\n');
    const now = source.files.map((f) => `${f.prefix}\u0000${f.path}`).join('\n');
    if (known === now) return;
    this.source = source;
    this.needsReload = true;
  }

  /** Reads the run if it has not been read yet (concurrent callers share one read). */
  async ensureLoaded(): Promise<void> {
    if (this.ready) return;
    this.loading ??= this.exclusive(async () => {
      if (!this.ready) await this.readAll();
    });
    await this.loading;
  }

  /**
   * Reads what the run's files gained since the last read. Returns whether data arrived (the version
   * then grew). A run not read yet is left alone.
   */
  async refresh(): Promise<boolean> {
    if (!this.ready) return false;
    return this.exclusive(async () => {
      if (this.needsReload) {
        await this.readAll();
        return true;
      }
      let records = 0;
      let refusals = 0;
      for (const file of this.files) {
        let real: string | null;
        let mark: FileMark;
        try {
          const wasRefused = file.refused !== null;
          real = await this.openable(file);
          if (real === null) {
            // Resolves outside the served path: not read (what was read before, from inside, stays).
            if (!wasRefused) refusals++;
            continue;
          }
          mark = await markFile(real, file.mark);
        } catch {
          continue; // deleted: keep what was read
        }
        const change = compareMarks(file.mark, mark, file.cursor?.offset ?? 0);
        if (change === 'same') continue;
        if (isRestart(change)) {
          await this.readAll();
          return true;
        }
        file.mark = mark;
        records += await this.readFile(file, real);
      }
      if (records > 0 || refusals > 0) this.changed();
      return records > 0 || refusals > 0;
    });
  }

  /** A diagnosis of the current data starts (data arriving from now on makes the run dirty again). */
  diagnosisStarted(): void {
    this.dirty = false;
  }

  /**
   * Takes a finished diagnosis. Returns the findings the run did not have at the previous diagnosis
   * (none at the first one; too-little-data notes never count as new).
   */
  applyDiagnosis(result: DiagnosisResult, now = Date.now()): Finding[] {
    const { report, problems } = result;
    this.diagnosisMs = result.ms;
    this.diagnosedAt = now;
    this.report = report;
    this.checkProblems = problems;
    const keys = new Set(report.findings.map(findingKey));
    const before = this.findingKeys;
    const fresh = before === null ? [] : report.findings.filter((f) => !before.has(findingKey(f)) && f.evidence['insufficientData'] !== true);
    this.findingKeys = keys;
    return fresh;
  }

  /**
   * The tag used per role (train loss, val loss ...): from the latest diagnosis, or resolved now when
   * the run has not been diagnosed yet (cheap next to the checks).
   */
  roles(tags: CurveTags = {}): CurveRoles {
    if (this.report) return this.report.curves;
    return this.cached('roles', () => {
      const curves = resolveCurves(this.bounded.run, tags);
      return Object.fromEntries(Object.entries(curves).map(([k, c]) => [k, c ? (c as Curve).tag : null])) as unknown as CurveRoles;
    });
  }

  /** The run's row on the runs page. */
  summary(): RunSummary {
    const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
    let worst: Finding | null = null;
    for (const f of this.report?.findings ?? []) {
      if (f.evidence['insufficientData'] === true) continue;
      counts[f.severity]++;
      if (worst === null || severityRank(f.severity) > severityRank(worst.severity)) worst = f;
    }
    const health: Health | null = this.report === null ? null : worst === null ? 'ok' : worst.severity;
    const telemetry = this.bounded.run;
    return {
      id: this.id,
      name: this.name,
      format: this.source.reader.name,
      state: this.ready ? 'ready' : 'pending',
      health,
      worst: worst ? { check: worst.check, title: worst.title, severity: worst.severity } : null,
      counts,
      lastStep: this.bounded.lastStepOfLongest() ?? this.report?.lastStep ?? null,
      unit: this.report?.unit ?? 'step',
      trainLoss: lastValue(this.bounded, this.report?.curves.trainLoss ?? null),
      valLoss: lastValue(this.bounded, this.report?.curves.valLoss ?? null),
      points: this.bounded.received(),
      empty: this.ready && telemetry.scalars.size === 0 && telemetry.histograms.size === 0,
      version: this.version,
      updatedAt: this.updatedAt,
    };
  }

  /**
   * A scalar series as a curve (restarts resolved, steps increasing), cached until new data arrives.
   * @example
   * served.curve('train/loss')?.values.length
   */
  curve(tag: string): Curve | null {
    this.dropStaleCaches();
    const cached = this.curveCache.get(tag);
    if (cached) return cached;
    const series = this.bounded.run.scalars.get(tag);
    if (!series) return null;
    const curve = toCurve(series);
    this.curveCache.set(tag, curve);
    return curve;
  }

  /**
   * A value computed from the telemetry, cached under `key` until new data arrives.
   * @example
   * const grids = served.cached(`layers:${width}`, () => layerGrids(served.run, width));
   */
  cached<T>(key: string, compute: () => T): T {
    this.dropStaleCaches();
    if (this.memo.has(key)) return this.memo.get(key) as T;
    if (this.memo.size >= MAX_MEMO) this.memo.clear(); // many zoom ranges of an unchanging run
    const value = compute();
    this.memo.set(key, value);
    return value;
  }

  private dropStaleCaches(): void {
    if (this.cacheVersion === this.version) return;
    this.curveCache.clear();
    this.memo.clear();
    this.cacheVersion = this.version;
  }

  private changed(): void {
    this.version++;
    this.updatedAt = Math.max(0, ...this.files.map((f) => f.mark?.mtimeMs ?? 0));
    this.dirty = true;
  }

  private fileStates(source: RunSource): FileState[] {
    return source.files.map((f) => ({ path: f.path, prefix: f.prefix, cursor: undefined, mark: undefined, problems: [], tail: [], refused: null }));
  }

  /**
   * The path to open for a file: its real path when it resolves inside the served path, or null (and
   * an `outside-root` problem) when it resolves outside. Throws when it cannot be resolved.
   */
  private async openable(file: FileState): Promise<string | null> {
    if (!this.root) return file.path;
    const where = await this.root.resolve(file.path);
    if (where.inside) {
      file.refused = null;
      return where.real;
    }
    file.refused = {
      file: file.path,
      code: 'outside-root',
      message: `${file.path}: now resolves to a file outside the served path ${this.root.path} (a symbolic link swapped in?); not read`,
    };
    return null;
  }

  /** (Re)reads every file of the run from the start into fresh telemetry. */
  private async readAll(): Promise<void> {
    this.needsReload = false;
    this.files = this.fileStates(this.source);
    this.bounded = new BoundedRun(this.source.id, this.source.reader.name, this.bounds);
    const run = this.bounded.run;
    for (const file of this.files) {
      run.files.push(file.path);
      let real: string | null;
      try {
        real = await this.openable(file);
        if (real === null) continue;
        file.mark = await markFile(real);
      } catch (cause) {
        file.problems.push({ file: file.path, code: 'unreadable', message: `${file.path}: cannot read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})` });
        continue;
      }
      await this.readFile(file, real);
    }
    this.ready = true;
    this.changed();
  }

  /** Reads a file from its cursor; `real` is the path checked by {@link openable} (what is opened). */
  private async readFile(file: FileState, real: string): Promise<number> {
    const result = await this.source.reader.read(real, this.bounded.sink(file.prefix), { displayPath: file.path, ...(file.cursor ? { from: file.cursor } : {}) });
    file.cursor = result.cursor;
    file.tail = result.problems.filter((p) => TAIL_CODES.has(p.code));
    for (const p of result.problems) if (!TAIL_CODES.has(p.code) && file.problems.length < MAX_FILE_PROBLEMS) file.problems.push(p);
    return result.records;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.then(fn, fn);
    this.lock = next.catch(() => undefined);
    return next;
  }
}
