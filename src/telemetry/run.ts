/**
 * The framework-neutral model of one training run: tagged scalar and histogram series plus metadata.
 */
import type { Histogram, HistogramSeries, ScalarSeries, StepUnit } from './series.js';
import { histogramSeries, scalarSeries } from './series.js';

/** Metadata value: hyper-parameters, framework name, anything a reader found beside the curves. */
export type MetaValue = string | number | boolean;

/** A training run as users think of it (one Keras run dir with train/ and validation/, one Lightning version_N). */
export interface Run {
  /** Stable display id: the run directory (or file) relative to the path the user gave. */
  readonly id: string;
  /** Name of the reader that produced it (`tensorboard`, `lightning-csv`, ...). */
  format: string;
  /** Every input file that contributed, as given on the command line joined with its relative path. */
  readonly files: string[];
  readonly scalars: Map<string, ScalarSeries>;
  readonly histograms: Map<string, HistogramSeries>;
  readonly meta: Map<string, MetaValue>;
}

/**
 * Creates an empty run.
 * @example
 * const run = createRun('logs/version_0', 'lightning-csv');
 */
export function createRun(id: string, format: string): Run {
  return { id, format, files: [], scalars: new Map(), histograms: new Map(), meta: new Map() };
}

/**
 * Where a reader puts what it decodes. Readers never build runs themselves, so a reader can feed
 * one run from many files (splits, restarts) and a live watcher can feed it incrementally.
 */
export interface TelemetrySink {
  scalar(tag: string, step: number, value: number, wallTime: number, unit?: StepUnit): void;
  histogram(tag: string, step: number, histogram: Histogram, wallTime: number, unit?: StepUnit): void;
  meta(key: string, value: MetaValue): void;
}

/**
 * A sink that appends into `run`, prefixing every tag with `prefix` (a split such as `train/`).
 * @example
 * const sink = runSink(run, 'validation/');
 * sink.scalar('epoch_loss', 0, 1.2, NaN, 'epoch'); // run.scalars has 'validation/epoch_loss'
 */
export function runSink(run: Run, prefix = ''): TelemetrySink {
  return {
    scalar(tag, step, value, wallTime, unit = 'step') {
      const key = prefix + tag;
      let s = run.scalars.get(key);
      if (!s) {
        s = scalarSeries(key, unit);
        run.scalars.set(key, s);
      }
      s.steps.push(step);
      s.values.push(value);
      s.wallTimes.push(wallTime);
    },
    histogram(tag, step, histogram, wallTime, unit = 'step') {
      const key = prefix + tag;
      let h = run.histograms.get(key);
      if (!h) {
        h = histogramSeries(key, unit);
        run.histograms.set(key, h);
      }
      h.steps.push(step);
      h.wallTimes.push(wallTime);
      h.histograms.push(histogram);
    },
    meta(key, value) {
      run.meta.set(key, value);
    },
  };
}
