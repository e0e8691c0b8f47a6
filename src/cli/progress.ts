/**
 * A progress bar on stderr that appears only when reading takes more than a moment, and only on a TTY.
 */
import cliProgress from 'cli-progress';
import type { DiagnoseProgress } from '../diagnose/diagnose-paths.js';
import type { OutStream } from './io.js';

/** Handle returned by {@link delayedProgress}. */
export interface Progress {
  update(p: DiagnoseProgress): void;
  stop(): void;
}

/**
 * Shows a runs progress bar on `stream` if work is still going after `delayMs`.
 * @example
 * const progress = delayedProgress(process.stderr, 400);
 * await diagnosePaths(paths, { onProgress: progress.update });
 * progress.stop();
 */
export function delayedProgress(stream: OutStream, delayMs = 400, enabled = stream.isTTY === true): Progress {
  let last: DiagnoseProgress | null = null;
  let bar: cliProgress.SingleBar | null = null;
  const started = Date.now();
  return {
    update(p) {
      last = p;
      if (!enabled) return;
      if (!bar && Date.now() - started >= delayMs && p.runsDone < p.runsTotal) {
        bar = new cliProgress.SingleBar(
          { stream: stream as unknown as NodeJS.WritableStream, format: 'reading {bar} {value}/{total} runs {run}', clearOnComplete: true, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.runsTotal, p.runsDone, { run: p.run });
      }
      bar?.update(p.runsDone, { run: p.run.length > 40 ? `…${p.run.slice(-39)}` : p.run });
    },
    stop() {
      if (bar && last) bar.update(last.runsTotal);
      bar?.stop();
    },
  };
}
