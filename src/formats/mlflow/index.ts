/**
 * MLflow file store (`mlruns/<experiment>/<run>/`, what `mlflow.log_metric` writes without a
 * tracking server). Discovery makes one run of each run folder: its `meta.yaml` (read with the
 * `params/` and run name beside it) and every file below its `metrics/` folder. Each metric file is
 * one series named by its key (`val_loss`, `final accuracy`, `train/loss` for a nested folder);
 * single-point metrics (`final accuracy`, `stopped_epoch`) are series of one point.
 */
import { basename } from 'node:path';
import type { TelemetrySink } from '../../telemetry/run.js';
import type { FormatReader, ReadOptions, ReadResult } from '../reader.js';
import { isMetricFile, isRunMeta, metricKey } from './layout.js';
import { readMetricFile } from './metric-file.js';
import { readRunMeta } from './run-meta.js';

export { isMetricFile, isRunMeta, runDirOf } from './layout.js';

/**
 * Reads the files of an MLflow run folder: a run `meta.yaml` or a metric file.
 * @example
 * const run = createRun('mlruns/1/0add84', 'mlflow');
 * await mlflowReader.read('mlruns/1/0add84/meta.yaml', runSink(run), {});
 * await mlflowReader.read('mlruns/1/0add84/metrics/val_loss', runSink(run), {});
 * run.scalars.get('val_loss')?.values.length; // 20
 */
export const mlflowReader: FormatReader = {
  name: 'mlflow',
  detect(path: string, head: Uint8Array): boolean {
    try {
      return isRunMeta(path, head) || isMetricFile(path, head);
    } catch {
      return false;
    }
  },
  async read(path: string, sink: TelemetrySink, options: ReadOptions): Promise<ReadResult> {
    if (basename(path) === 'meta.yaml') return readRunMeta(path, sink, options);
    return readMetricFile(path, await metricKey(path), sink, options);
  },
};
