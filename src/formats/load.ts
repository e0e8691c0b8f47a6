/**
 * Reads a discovered run into telemetry.
 */
import type { Run } from '../telemetry/run.js';
import { createRun, runSink } from '../telemetry/run.js';
import type { RunSource } from './discover.js';
import type { Problem, ReadCursor } from './reader.js';

/** A run read from disk, with what went wrong reading it and where each file stopped. */
export interface LoadedRun {
  readonly run: Run;
  readonly problems: Problem[];
  /** Resume points per file path, for reading again when files grow. */
  readonly cursors: Map<string, ReadCursor>;
  readonly records: number;
}

/**
 * Reads every file of `source` into one run (files in name order, so restarts that start a new event
 * file append after the old one). Bad content becomes problems; reading goes on.
 * @example
 * const { run, problems } = await loadRun(source);
 */
export async function loadRun(source: RunSource, onProgress?: (bytes: number) => void): Promise<LoadedRun> {
  const run = createRun(source.id, source.reader.name);
  const problems: Problem[] = [];
  const cursors = new Map<string, ReadCursor>();
  let records = 0;
  let done = 0;
  for (const file of source.files) {
    run.files.push(file.path);
    const result = await source.reader.read(file.path, runSink(run, file.prefix), {
      displayPath: file.path,
      final: true,
      ...(onProgress ? { onProgress: (bytes: number) => onProgress(done + bytes) } : {}),
    });
    done += result.cursor.offset;
    records += result.records;
    problems.push(...result.problems);
    cursors.set(file.path, result.cursor);
  }
  return { run, problems, cursors, records };
}
