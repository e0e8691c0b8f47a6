/**
 * Diagnoses log files and directories: discover -> read (run by run, so memory holds one run at a
 * time) -> check -> report.
 */
import { discoverRuns } from '../formats/discover.js';
import { readers as defaultReaders } from '../formats/index.js';
import { loadRun } from '../formats/load.js';
import type { FormatReader, Problem } from '../formats/reader.js';
import type { DiagnoseOptions, RunReport } from './diagnose.js';
import { diagnoseRun } from './diagnose.js';

/** The whole diagnosis: the JSON report (`version: 1`). */
export interface Diagnosis {
  readonly version: 1;
  readonly runs: RunReport[];
  readonly problems: Problem[];
}

/** Progress of a diagnosis, for progress bars. */
export interface DiagnoseProgress {
  readonly runsDone: number;
  readonly runsTotal: number;
  readonly run: string;
}

/** Options of {@link diagnosePaths}. */
export interface DiagnosePathsOptions extends DiagnoseOptions {
  readonly readers?: readonly FormatReader[];
  readonly onProgress?: (progress: DiagnoseProgress) => void;
}

/**
 * Diagnoses every run found under `paths`.
 * @example
 * const diagnosis = await diagnosePaths(['lightning_logs/']);
 * for (const run of diagnosis.runs) console.log(run.run, run.findings.length);
 */
export async function diagnosePaths(paths: readonly string[], options: DiagnosePathsOptions = {}): Promise<Diagnosis> {
  const { runs: sources, problems } = await discoverRuns(paths, options.readers ?? defaultReaders, { followLinks: true });
  const runs: RunReport[] = [];
  let done = 0;
  for (const source of sources) {
    options.onProgress?.({ runsDone: done, runsTotal: sources.length, run: source.id });
    const loaded = await loadRun(source);
    problems.push(...loaded.problems);
    done++;
    if (loaded.run.scalars.size === 0 && loaded.run.histograms.size === 0) continue;
    const { report, problems: checkProblems } = diagnoseRun(loaded.run, options);
    runs.push(report);
    problems.push(...checkProblems);
  }
  options.onProgress?.({ runsDone: done, runsTotal: sources.length, run: '' });
  return { version: 1, runs, problems };
}
