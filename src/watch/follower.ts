/**
 * Follows log files while they are written: finds runs (again every few seconds, so new runs and new
 * files of known runs appear), stats every known file each tick and reads a file that changed from
 * where the previous read stopped (readers resume from their cursor and leave a partly written last
 * record for the next read). A file replaced at the same path (another inode), truncated, or whose
 * first bytes changed is read again from its start, as a restart of the run (see `file-mark.ts`).
 * Reads feed bounded runs, so memory stays bounded however long a run is.
 */
import { discoverRuns } from '../formats/discover.js';
import { readers as defaultReaders } from '../formats/index.js';
import type { FormatReader, Problem, ReadCursor } from '../formats/reader.js';
import type { BoundedRunOptions } from './bounded-run.js';
import { BoundedRun } from './bounded-run.js';
import type { FileMark } from './file-mark.js';
import { compareMarks, isRestart, markFile } from './file-mark.js';

/** Options of a {@link Follower}. */
export interface FollowerOptions {
  /** Log files or directories, as the user gave them. */
  readonly paths: readonly string[];
  readonly readers?: readonly FormatReader[];
  /** How often to look for new runs and files, in ms (default 2000; every tick until a first run is found). */
  readonly rediscoverMs?: number;
  readonly bounds?: BoundedRunOptions;
}

/** One file being followed. */
interface FollowedFile {
  readonly path: string;
  readonly prefix: string;
  cursor: ReadCursor | undefined;
  /** The file as of the latest read (undefined before the first). */
  mark: FileMark | undefined;
  /** Problems of a read that did not get past them, held until the file is seen unchanged once. */
  pending: Problem[];
}

/** A run being followed. */
export interface FollowedRun {
  readonly id: string;
  readonly reader: FormatReader;
  readonly bounded: BoundedRun;
  /** Clock time (ms) of the last growth of any of its files, or of its discovery. */
  lastGrowth: number;
  /** Latest modification time of its files (ms since the Unix epoch, from the file system); -1 before the first stat. */
  modifiedMs: number;
  /** Records decoded since the run was found. */
  records: number;
  files: FollowedFile[];
}

/** What one {@link Follower.tick} saw. */
export interface FollowTick {
  /** Runs that received records. */
  readonly updated: FollowedRun[];
  /** Runs whose files grew or changed (with or without a whole new record). */
  readonly grown: FollowedRun[];
  /** Problems of this tick's reads (the caller removes repeats). */
  readonly problems: Problem[];
  /** Paths given that hold no log yet, reported once each. */
  readonly waiting: string[];
}

/** Problem codes that are normal while a file is written and not reported until the final read. */
const TAIL_CODES = new Set(['truncated']);

/**
 * Follows the runs under some paths.
 * @example
 * const follower = new Follower({ paths: ['runs/'] });
 * const { updated, problems } = await follower.tick(Date.now());
 * for (const r of updated) diagnoseRun(r.bounded.run);
 */
export class Follower {
  private readonly runsById = new Map<string, FollowedRun>();
  private readonly readers: readonly FormatReader[];
  private readonly rediscoverMs: number;
  private lastDiscovery = -Infinity;
  private readonly waitingReported = new Set<string>();

  constructor(private readonly options: FollowerOptions) {
    this.readers = options.readers ?? defaultReaders;
    this.rediscoverMs = options.rediscoverMs ?? 2000;
  }

  /** The runs found so far, in discovery order. */
  get runs(): FollowedRun[] {
    return [...this.runsById.values()];
  }

  /**
   * Discovers (when due) and reads what changed. `final` forces a discovery and reports problems
   * that are normal while writing (a partly written last record).
   */
  async tick(now: number, final = false): Promise<FollowTick> {
    const problems: Problem[] = [];
    const waiting: string[] = [];
    // Until a first run appears, look every tick: the logs of a just-started training show up soon.
    if (final || this.runsById.size === 0 || now - this.lastDiscovery >= this.rediscoverMs) {
      this.lastDiscovery = now;
      await this.discover(now, problems, waiting);
    }
    const updated: FollowedRun[] = [];
    const grown: FollowedRun[] = [];
    for (const run of this.runsById.values()) {
      let records = 0;
      let grew = false;
      for (const file of [...run.files]) {
        let mark: FileMark;
        try {
          mark = await markFile(file.path, file.mark);
        } catch {
          continue; // deleted or not yet there: rediscovery drops or finds it
        }
        run.modifiedMs = Math.max(run.modifiedMs, mark.mtimeMs);
        const change = compareMarks(file.mark, mark, file.cursor?.offset ?? 0);
        if (change === 'same' && !final) {
          problems.push(...file.pending); // the file is still what gave them: they are real
          file.pending = [];
          continue;
        }
        if (change !== 'same') grew = true;
        if (isRestart(change)) {
          // Another file now (renamed over it, truncated, rewritten): its start was never read. Read it
          // all, as a restart of the run (series drop the points from its first step on).
          file.cursor = undefined;
          file.pending = [];
        }
        file.mark = mark;
        records += await this.read(run, file, problems, final);
      }
      if (grew) {
        run.lastGrowth = now;
        grown.push(run);
      }
      if (records > 0) {
        run.records += records;
        updated.push(run);
      }
    }
    return { updated, grown, problems, waiting };
  }

  private async read(run: FollowedRun, file: FollowedFile, problems: Problem[], final: boolean): Promise<number> {
    const sink = run.bounded.sink(file.prefix);
    const options = { displayPath: file.path, final, ...(file.cursor ? { from: file.cursor } : {}) };
    let result = await run.reader.read(file.path, sink, options);
    if (file.cursor && result.problems.some((p) => p.code === 'shrunk')) {
      // Replaced or truncated by its writer: read it again from the start (a restart of the run).
      result = await run.reader.read(file.path, sink, { displayPath: file.path });
    }
    const stuck = result.records === 0 && result.cursor.offset === (file.cursor?.offset ?? 0);
    file.cursor = result.cursor;
    const found = result.problems.filter((p) => final || !TAIL_CODES.has(p.code));
    // A read that could not get past a problem (a whole-file format such as trainer_state.json caught
    // while it is rewritten) may just have raced the writer: report it if the file stays like that.
    if (stuck && !final) file.pending = found;
    else {
      file.pending = [];
      problems.push(...found);
    }
    return result.records;
  }

  private async discover(now: number, problems: Problem[], waiting: string[]): Promise<void> {
    const found = await discoverRuns(this.options.paths, this.readers, { followLinks: true });
    for (const p of found.problems) {
      if (p.code === 'no-logs' || p.code === 'not-found') {
        if (!this.waitingReported.has(p.file)) {
          this.waitingReported.add(p.file);
          waiting.push(p.file);
        }
      } else problems.push(p);
    }
    for (const source of found.runs) {
      let run = this.runsById.get(source.id);
      if (!run) {
        run = { id: source.id, reader: source.reader, bounded: new BoundedRun(source.id, source.reader.name, this.options.bounds), lastGrowth: now, modifiedMs: -1, records: 0, files: [] };
        this.runsById.set(source.id, run);
      }
      const known = new Set(run.files.map((f) => f.path));
      const added = source.files.filter((f) => !known.has(f.path));
      if (added.length === 0) continue;
      const replaced = source.files.length === 1 && run.files.length === 1 && added.length === 1 ? run.files[0] : undefined;
      if (replaced) {
        // One file that stands for the whole history was replaced by a newer one (Hugging Face
        // checkpoint-N/trainer_state.json -> checkpoint-M/...): carry on from where the old one stopped.
        run.files = [];
      }
      for (const f of added) {
        run.files.push({ path: f.path, prefix: f.prefix, cursor: replaced?.cursor, mark: undefined, pending: [] });
        if (!run.bounded.run.files.includes(f.path)) run.bounded.run.files.push(f.path);
      }
      run.files.sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
    }
  }
}
