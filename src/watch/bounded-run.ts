/**
 * A run of bounded size fed incrementally by readers: every scalar series is a {@link BoundedScalars}
 * (at most `maxPoints` points, coarser as the run grows), every histogram series keeps at most
 * `maxHistograms` entries (every k-th one, k doubling when full, plus the latest). Checks read `run`
 * like any other run, so a check pass costs the same however long training has gone on.
 */
import type { MetaValue, Run, TelemetrySink } from '../telemetry/run.js';
import { createRun } from '../telemetry/run.js';
import type { Histogram, HistogramSeries, StepUnit } from '../telemetry/series.js';
import { histogramSeries } from '../telemetry/series.js';
import { BoundedScalars, DEFAULT_MAX_POINTS } from './bounded-series.js';

/** Default maximum number of histograms kept per histogram series. */
export const DEFAULT_MAX_HISTOGRAMS = 256;

/** Size limits of a {@link BoundedRun}. */
export interface BoundedRunOptions {
  /** Points kept per scalar series (default 2048). */
  readonly maxPoints?: number;
  /** Histograms kept per histogram series (default 256). */
  readonly maxHistograms?: number;
}

/**
 * A run whose memory stays bounded however many points arrive.
 * @example
 * const bounded = new BoundedRun('runs/exp1', 'tensorboard');
 * await tensorboardReader.read(file, bounded.sink(''), {});
 * diagnoseRun(bounded.run);
 */
export class BoundedRun {
  /** What checks read. */
  readonly run: Run;
  private readonly scalars = new Map<string, BoundedScalars>();
  private readonly histograms = new Map<string, BoundedHistograms>();
  private readonly maxPoints: number;
  private readonly maxHistograms: number;

  constructor(id: string, format: string, options: BoundedRunOptions = {}) {
    this.run = createRun(id, format);
    this.maxPoints = options.maxPoints ?? DEFAULT_MAX_POINTS;
    this.maxHistograms = options.maxHistograms ?? DEFAULT_MAX_HISTOGRAMS;
  }

  /** A sink for one file of the run; `prefix` is its split (`validation/`) or `''`. */
  sink(prefix = ''): TelemetrySink {
    return {
      scalar: (tag, step, value, wallTime, unit = 'step') => this.scalarSeries(prefix + tag, unit).push(step, value, wallTime),
      histogram: (tag, step, histogram, wallTime, unit = 'step') => this.histogramSeries(prefix + tag, unit).push(step, histogram, wallTime),
      meta: (key: string, value: MetaValue) => {
        this.run.meta.set(key, value);
      },
    };
  }

  /** The latest raw point of a scalar series (exact, not a bucket mean), or null when there is none. */
  latest(tag: string): { step: number; value: number } | null {
    const s = this.scalars.get(tag);
    return s && s.received > 0 ? { step: s.latestStep, value: s.latestValue } : null;
  }

  /** Raw scalar points received so far, all series together (restarts included). */
  received(): number {
    let n = 0;
    for (const s of this.scalars.values()) n += s.received;
    return n;
  }

  /**
   * The latest raw step of the series that received the most points (what `lastStep` of a full run
   * gives: the longest series' end), or null before any scalar arrived.
   */
  lastStepOfLongest(): number | null {
    let best: BoundedScalars | null = null;
    for (const s of this.scalars.values()) if (s.received > 0 && (best === null || s.received > best.received)) best = s;
    return best === null ? null : best.latestStep;
  }

  /** The largest latest step over all scalar series, or null before any scalar arrived. */
  lastStep(): number | null {
    let best: number | null = null;
    for (const s of this.scalars.values()) if (s.received > 0 && (best === null || s.latestStep > best)) best = s.latestStep;
    return best;
  }

  private scalarSeries(tag: string, unit: StepUnit): BoundedScalars {
    let s = this.scalars.get(tag);
    if (!s) {
      s = new BoundedScalars(tag, unit, this.maxPoints);
      this.scalars.set(tag, s);
      this.run.scalars.set(tag, s.series);
    }
    return s;
  }

  private histogramSeries(tag: string, unit: StepUnit): BoundedHistograms {
    let h = this.histograms.get(tag);
    if (!h) {
      h = new BoundedHistograms(tag, unit, this.maxHistograms);
      this.histograms.set(tag, h);
      this.run.histograms.set(tag, h.series);
    }
    return h;
  }
}

/** Every `stride`-th histogram, the latest one on top; the stride doubles when the series is full. */
class BoundedHistograms {
  readonly series: HistogramSeries;
  private stride = 1;
  private arrivals = 0;
  /** Whether the last kept entry is only the latest (not a k-th one) and will be replaced. */
  private provisional = false;

  constructor(
    tag: string,
    unit: StepUnit,
    private readonly max: number,
  ) {
    this.series = histogramSeries(tag, unit);
  }

  push(step: number, histogram: Histogram, wallTime: number): void {
    const { steps, wallTimes, histograms } = this.series;
    const n = steps.length;
    if (n > 0 && step < (steps[n - 1] as number)) {
      let keep = n;
      while (keep > 0 && (steps[keep - 1] as number) >= step) keep--;
      this.setLength(keep);
      this.provisional = false;
    } else if (this.provisional) {
      this.setLength(n - 1);
    }
    const index = this.arrivals++;
    steps.push(step);
    wallTimes.push(wallTime);
    histograms.push(histogram);
    this.provisional = index % this.stride !== 0;
    const kept = steps.length - (this.provisional ? 1 : 0);
    if (kept > this.max) this.thin();
  }

  /**
   * Keeps every other k-th entry and doubles the stride. The latest entry always stays: as the
   * provisional one if it is no longer a k-th one.
   */
  private thin(): void {
    const { steps, wallTimes, histograms } = this.series;
    const kept = steps.length - (this.provisional ? 1 : 0);
    const latest = steps.length - 1;
    let w = 0;
    for (let r = 0; r < steps.length; r++) {
      if (r % 2 === 1 && r !== latest) continue;
      if (r === latest && r % 2 === 1 && r < kept) this.provisional = true;
      steps[w] = steps[r] as number;
      wallTimes[w] = wallTimes[r] as number;
      histograms[w] = histograms[r] as Histogram;
      w++;
    }
    this.setLength(w);
    this.stride *= 2;
  }

  private setLength(length: number): void {
    this.series.steps.length = length;
    this.series.wallTimes.length = length;
    this.series.histograms.length = length;
  }
}
