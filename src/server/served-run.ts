/**
 * One run as the dashboard holds it: the full telemetry (read lazily, then followed while its files
 * grow, from where each file's reader stopped), its latest diagnosis, and what changed since. Only the
 * files discovery found for the run are ever opened. A file that shrank, or whose first bytes changed
 * (a CSV rewritten with a new header, a replaced file), makes the whole run be read again.
 */
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import type { CurveRoles, RunReport } from '../diagnose/diagnose.js';
import { lastStep } from '../diagnose/diagnose.js';
import type { Finding, Severity } from '../findings/finding.js';
import { severityRank } from '../findings/finding.js';
import type { RunSource } from '../formats/discover.js';
import type { Problem, ReadCursor } from '../formats/reader.js';
import type { Curve, CurveTags } from '../telemetry/curves.js';
import { resolveCurves, toCurve } from '../telemetry/curves.js';
import type { Run } from '../telemetry/run.js';
import { createRun, runSink } from '../telemetry/run.js';
import type { Health, LastValue, RunSummary } from './api-types.js';
import type { DiagnosisResult } from './diagnosis-pool.js';

/** Bytes at the start of a file remembered to notice a rewrite. */
const HEAD_BYTES = 1024;
/** Problem codes that are normal while a file is being written (a partly written last record). */
const TAIL_CODES = new Set(['truncated']);
/** Cached computed values per run (downsampled ranges ...) before the cache starts over. */
const MAX_MEMO = 128;
/** Problems kept per file (a log written with a bad record every step must not fill the memory). */
const MAX_FILE_PROBLEMS = 100;

interface FileState {
  readonly path: string;
  readonly prefix: string;
  cursor: ReadCursor | undefined;
  size: number;
  mtimeMs: number;
  head: Buffer;
  /** Problems of earlier reads (kept) and of the latest read (tail problems are replaced by the next read). */
  problems: Problem[];
  tail: Problem[];
}

/**
 * The opaque id of a run in URLs: a hash of its display id, stable across restarts of the server.
 * @example
 * runKey('logs/version_0') // 'a1b2c3d4e5f6'
 */
export function runKey(sourceId: string): string {
  return createHash('sha256').update(sourceId).digest('hex').slice(0, 12);
}

async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function findingKey(f: Finding): string {
  return `${f.check}\u0000${f.severity}\u0000${f.layer ?? ''}\u0000${f.tags.join(',')}`;
}

function lastValue(run: Run, tag: string | null): LastValue | null {
  if (tag === null) return null;
  const s = run.scalars.get(tag);
  const n = s ? s.values.length : 0;
  if (!s || n === 0) return null;
  const v = s.values[n - 1] as number;
  return { tag, step: s.steps[n - 1] as number, value: Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity' };
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
  private telemetry: Run;
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

  constructor(source: RunSource, name: string) {
    this.id = runKey(source.id);
    this.name = name;
    this.source = source;
    this.telemetry = createRun(source.id, source.reader.name);
    this.files = this.fileStates(source);
  }

  /** Whether the run has been read. */
  get isReady(): boolean {
    return this.ready;
  }

  /** The telemetry read so far. */
  get run(): Run {
    return this.telemetry;
  }

  /** The latest diagnosis, or null before the first. */
  get latestReport(): RunReport | null {
    return this.report;
  }

  /** The discovered files, as discovery named them. */
  get filePaths(): string[] {
    return this.files.map((f) => f.path);
  }

  /** Input problems of the run's files and of its checks. */
  get problems(): Problem[] {
    return [...this.files.flatMap((f) => [...f.problems, ...f.tail]), ...this.checkProblems];
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
      for (const file of this.files) {
        let st;
        try {
          st = await stat(file.path);
        } catch {
          continue; // deleted: keep what was read
        }
        if (st.size === file.size && st.mtimeMs === file.mtimeMs) continue;
        const head = await readHead(file.path).catch(() => Buffer.alloc(0));
        const prefixLength = Math.min(file.head.length, head.length);
        const rewritten = st.size < (file.cursor?.offset ?? 0) || head.length < file.head.length || !head.subarray(0, prefixLength).equals(file.head.subarray(0, prefixLength));
        if (rewritten) {
          await this.readAll();
          return true;
        }
        file.size = st.size;
        file.mtimeMs = st.mtimeMs;
        file.head = head;
        records += await this.readFile(file);
      }
      if (records > 0) this.changed();
      return records > 0;
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
      const curves = resolveCurves(this.telemetry, tags);
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
    let points = 0;
    for (const s of this.telemetry.scalars.values()) points += s.values.length;
    return {
      id: this.id,
      name: this.name,
      format: this.source.reader.name,
      state: this.ready ? 'ready' : 'pending',
      health,
      worst: worst ? { check: worst.check, title: worst.title, severity: worst.severity } : null,
      counts,
      lastStep: this.report?.lastStep ?? this.cached('lastStep', () => lastStep(this.telemetry)),
      unit: this.report?.unit ?? 'step',
      trainLoss: lastValue(this.telemetry, this.report?.curves.trainLoss ?? null),
      valLoss: lastValue(this.telemetry, this.report?.curves.valLoss ?? null),
      points,
      empty: this.ready && this.telemetry.scalars.size === 0 && this.telemetry.histograms.size === 0,
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
    const series = this.telemetry.scalars.get(tag);
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
    this.updatedAt = Math.max(0, ...this.files.map((f) => f.mtimeMs));
    this.dirty = true;
  }

  private fileStates(source: RunSource): FileState[] {
    return source.files.map((f) => ({ path: f.path, prefix: f.prefix, cursor: undefined, size: -1, mtimeMs: -1, head: Buffer.alloc(0), problems: [], tail: [] }));
  }

  /** (Re)reads every file of the run from the start into fresh telemetry. */
  private async readAll(): Promise<void> {
    this.needsReload = false;
    this.files = this.fileStates(this.source);
    const run = createRun(this.source.id, this.source.reader.name);
    this.telemetry = run;
    for (const file of this.files) {
      run.files.push(file.path);
      try {
        const st = await stat(file.path);
        file.size = st.size;
        file.mtimeMs = st.mtimeMs;
        file.head = await readHead(file.path);
      } catch (cause) {
        file.problems.push({ file: file.path, code: 'unreadable', message: `${file.path}: cannot read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})` });
        continue;
      }
      await this.readFile(file);
    }
    this.ready = true;
    this.changed();
  }

  private async readFile(file: FileState): Promise<number> {
    const result = await this.source.reader.read(file.path, runSink(this.telemetry, file.prefix), { displayPath: file.path, ...(file.cursor ? { from: file.cursor } : {}) });
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
