/**
 * Scalar and histogram series: the two kinds of data a run is made of.
 * Points are kept in arrival order (a restarted run appends steps that go backwards);
 * use {@link segments} to split a series at restarts.
 */

/** Whether a series' step axis counts optimiser steps (batches) or epochs. */
export type StepUnit = 'step' | 'epoch';

/** A named scalar series in column form (cheap for a million points). */
export interface ScalarSeries {
  /** Full tag, including a split prefix when the run has splits (e.g. `validation/epoch_loss`). */
  readonly tag: string;
  readonly unit: StepUnit;
  readonly steps: number[];
  readonly values: number[];
  /** Seconds since the Unix epoch; `NaN` when the source has no wall time. */
  readonly wallTimes: number[];
}

/**
 * One histogram, TensorBoard-style: `bucketLimits[i]` is the right edge of bucket i,
 * `bucketCounts[i]` the number of values in it. Real files do not always agree with `min`/`max`
 * (PyTorch starts with an empty bucket below `min`, TF1 ends with a `DBL_MAX` limit): clamp edges to
 * `[min, max]` before using them as values.
 */
export interface Histogram {
  readonly min: number;
  readonly max: number;
  readonly num: number;
  readonly sum: number;
  /** Estimated from bucket centres for TF2 `[k,3]` tensors, which do not record it. */
  readonly sumSquares: number;
  readonly bucketLimits: readonly number[];
  readonly bucketCounts: readonly number[];
}

/** A named series of histograms over steps. */
export interface HistogramSeries {
  readonly tag: string;
  readonly unit: StepUnit;
  readonly steps: number[];
  readonly wallTimes: number[];
  readonly histograms: Histogram[];
}

/**
 * Creates an empty scalar series.
 * @example
 * const s = scalarSeries('train/loss');
 * s.steps.push(0); s.values.push(2.3); s.wallTimes.push(NaN);
 */
export function scalarSeries(tag: string, unit: StepUnit = 'step'): ScalarSeries {
  return { tag, unit, steps: [], values: [], wallTimes: [] };
}

/**
 * Creates an empty histogram series.
 * @example
 * const h = histogramSeries('gradients/dense_1');
 */
export function histogramSeries(tag: string, unit: StepUnit = 'step'): HistogramSeries {
  return { tag, unit, steps: [], wallTimes: [], histograms: [] };
}

/**
 * Index ranges `[start, end)` of the monotone pieces of a step axis: a new piece starts wherever
 * the step goes backwards (a restarted run appending to the same log).
 * @example
 * segments([0, 1, 2, 0, 1]) // [[0, 3], [3, 5]]
 */
export function segments(steps: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  for (let i = 1; i < steps.length; i++) {
    if ((steps[i] as number) < (steps[i - 1] as number)) {
      out.push([start, i]);
      start = i;
    }
  }
  if (steps.length > 0) out.push([start, steps.length]);
  return out;
}

/**
 * Builds a histogram from TensorBoard-style buckets given as `[left, right, count]` triples
 * (the TF2 `[k,3]` tensor layout). Sum is estimated from bucket centres; sum of squares is unknown.
 * @example
 * histogramFromTriples([[0, 1, 2], [1, 2, 3]]).num // 5
 */
export function histogramFromTriples(triples: ReadonlyArray<readonly [number, number, number]>): Histogram {
  let num = 0;
  let sum = 0;
  let sumSquares = 0;
  const bucketLimits: number[] = [];
  const bucketCounts: number[] = [];
  for (const [left, right, count] of triples) {
    const centre = (left + right) / 2;
    num += count;
    sum += centre * count;
    sumSquares += centre * centre * count;
    bucketLimits.push(right);
    bucketCounts.push(count);
  }
  const first = triples[0];
  const last = triples[triples.length - 1];
  return {
    min: first ? first[0] : NaN,
    max: last ? last[1] : NaN,
    num,
    sum,
    sumSquares: triples.length > 0 ? sumSquares : NaN,
    bucketLimits,
    bucketCounts,
  };
}
