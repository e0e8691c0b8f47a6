/**
 * A scalar series of bounded length for live watching: points are gathered into buckets of `width`
 * consecutive raw points (their mean), and when the series is full adjacent buckets are merged in pairs
 * and the width doubles. The series keeps a uniform, coarser step resolution as the run grows, so
 * checks on it cost the same at step 1k and at step 1M.
 *
 * - A bucket holding a non-finite value stays non-finite (NaN is never averaged away) and is placed at
 *   the step of its first non-finite value, so "NaN from step N" stays exact.
 * - A finite bucket is placed at the middle of its step range (rounded down for integer steps).
 * - The last point is the open (still filling) bucket; the exact latest raw value is kept apart
 *   ({@link BoundedScalars.latestValue}) for status lines.
 * - A step going backwards (a restarted run appending to the same log) drops the kept points at and
 *   after that step, as TensorBoard does, so the series stays in step order.
 */
import type { ScalarSeries, StepUnit } from '../telemetry/series.js';
import { scalarSeries } from '../telemetry/series.js';

/** Default maximum number of points kept per scalar series. */
export const DEFAULT_MAX_POINTS = 2048;

/**
 * A bounded scalar series. `series` is the view checks read (a plain {@link ScalarSeries}).
 * @example
 * const s = new BoundedScalars('train/loss', 'step', 1024);
 * for (let i = 0; i < 1_000_000; i++) s.push(i, 1 / (i + 1), NaN);
 * s.series.values.length <= 1024 // true
 */
export class BoundedScalars {
  /** What checks read: at most `maxPoints` points in step order. */
  readonly series: ScalarSeries;
  /** Raw points per closed bucket. */
  private width = 1;
  /** Per kept point: raw points in it, first and last raw step, first non-finite step (NaN if none). */
  private readonly counts: number[] = [];
  private readonly firsts: number[] = [];
  private readonly lasts: number[] = [];
  private readonly badSteps: number[] = [];
  /** Finite sum of the open bucket (the last point) while it fills. */
  private openSum = 0;
  private open = false;
  private lastRawStep = -Infinity;
  private lastRawValue = NaN;
  private raw = 0;

  constructor(
    tag: string,
    unit: StepUnit,
    private readonly maxPoints: number = DEFAULT_MAX_POINTS,
  ) {
    if (!(maxPoints >= 4)) throw new RangeError(`maxPoints must be at least 4, got ${maxPoints}`);
    this.series = scalarSeries(tag, unit);
  }

  /** Raw points received so far. */
  get received(): number {
    return this.raw;
  }

  /** Step of the latest raw point (`-Infinity` before the first). */
  get latestStep(): number {
    return this.lastRawStep;
  }

  /** Value of the latest raw point (`NaN` before the first). */
  get latestValue(): number {
    return this.lastRawValue;
  }

  /** Adds one raw point. */
  push(step: number, value: number, wallTime: number): void {
    this.raw++;
    if (step < this.lastRawStep) this.restartAt(step);
    this.lastRawStep = step;
    this.lastRawValue = value;
    const n = this.counts.length;
    if (this.open && (this.counts[n - 1] as number) < this.width) {
      this.addToOpen(n - 1, step, value, wallTime);
      return;
    }
    if (n >= this.maxPoints) this.compact();
    const { steps, values, wallTimes } = this.series;
    steps.push(step);
    values.push(value);
    wallTimes.push(wallTime);
    this.counts.push(1);
    this.firsts.push(step);
    this.lasts.push(step);
    this.badSteps.push(Number.isFinite(value) ? NaN : step);
    this.openSum = Number.isFinite(value) ? value : 0;
    this.open = this.width > 1;
  }

  private addToOpen(i: number, step: number, value: number, wallTime: number): void {
    const count = (this.counts[i] as number) + 1;
    this.counts[i] = count;
    this.lasts[i] = step;
    this.series.wallTimes[i] = wallTime;
    if (!Number.isFinite(this.badSteps[i] as number)) {
      if (Number.isFinite(value)) {
        this.openSum += value;
        this.series.values[i] = this.openSum / count;
        this.series.steps[i] = middle(this.firsts[i] as number, step);
      } else {
        this.badSteps[i] = step;
        this.series.values[i] = value;
        this.series.steps[i] = step;
      }
    }
    if (count >= this.width) this.open = false;
  }

  /** Merges kept points pairwise (never the open last one) and doubles the bucket width. */
  private compact(): void {
    const { steps, values, wallTimes } = this.series;
    const closed = this.open ? this.counts.length - 1 : this.counts.length;
    let w = 0;
    for (let r = 0; r < closed; r += 2, w++) {
      if (r + 1 >= closed) {
        this.move(r, w);
        continue;
      }
      const a = r;
      const b = r + 1;
      const ca = this.counts[a] as number;
      const cb = this.counts[b] as number;
      const badA = this.badSteps[a] as number;
      const badB = this.badSteps[b] as number;
      const first = this.firsts[a] as number;
      const last = this.lasts[b] as number;
      let value: number;
      let step: number;
      let bad = NaN;
      if (!Number.isNaN(badA)) [value, step, bad] = [values[a] as number, badA, badA];
      else if (!Number.isNaN(badB)) [value, step, bad] = [values[b] as number, badB, badB];
      else [value, step] = [((values[a] as number) * ca + (values[b] as number) * cb) / (ca + cb), middle(first, last)];
      steps[w] = step;
      values[w] = value;
      wallTimes[w] = wallTimes[b] as number;
      this.counts[w] = ca + cb;
      this.firsts[w] = first;
      this.lasts[w] = last;
      this.badSteps[w] = bad;
    }
    if (this.open) this.move(closed, w++);
    this.truncate(w);
    this.width *= 2;
  }

  private move(from: number, to: number): void {
    if (from === to) return;
    const { steps, values, wallTimes } = this.series;
    steps[to] = steps[from] as number;
    values[to] = values[from] as number;
    wallTimes[to] = wallTimes[from] as number;
    this.counts[to] = this.counts[from] as number;
    this.firsts[to] = this.firsts[from] as number;
    this.lasts[to] = this.lasts[from] as number;
    this.badSteps[to] = this.badSteps[from] as number;
  }

  private truncate(length: number): void {
    for (const xs of [this.series.steps, this.series.values, this.series.wallTimes, this.counts, this.firsts, this.lasts, this.badSteps]) xs.length = length;
  }

  /** A restart at `step`: drop kept points whose range reaches `step` or beyond. */
  private restartAt(step: number): void {
    let keep = this.counts.length;
    while (keep > 0 && (this.lasts[keep - 1] as number) >= step) keep--;
    this.truncate(keep);
    this.open = false;
  }
}

/** The middle of a step range: an integer step for integer ranges. */
function middle(first: number, last: number): number {
  const mid = (first + last) / 2;
  return Number.isInteger(first) && Number.isInteger(last) ? Math.floor(mid) : mid;
}
