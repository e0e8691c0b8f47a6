/**
 * Test support (not shipped): build runs from plain arrays, and simple deterministic noise.
 */
import type { Histogram, StepUnit } from '../telemetry/series.js';
import type { Run } from '../telemetry/run.js';
import { createRun, runSink } from '../telemetry/run.js';
import { seededRandom } from '../random/seeded.js';

/** A series given as values (steps 0..n-1 times `every`) or as explicit steps and values. */
export type SeriesSpec = readonly number[] | { readonly steps: readonly number[]; readonly values: readonly number[]; readonly unit?: StepUnit };

/**
 * Builds a run from `{ tag: values }`.
 * @example
 * const run = runFrom({ 'train/loss': [2.3, 1.2, 0.8], 'val/loss': [2.3, 1.4, 1.1] });
 */
export function runFrom(scalars: Record<string, SeriesSpec>, options: { id?: string; every?: number; unit?: StepUnit; histograms?: Record<string, { steps: readonly number[]; histograms: readonly Histogram[] }> } = {}): Run {
  const run = createRun(options.id ?? 'test-run', 'test');
  const sink = runSink(run);
  for (const [tag, spec] of Object.entries(scalars)) {
    const explicit = Array.isArray(spec) ? null : (spec as Exclude<SeriesSpec, readonly number[]>);
    const values: readonly number[] = explicit ? explicit.values : (spec as readonly number[]);
    const steps: readonly number[] = explicit ? explicit.steps : values.map((_, i) => i * (options.every ?? 1));
    const unit = explicit?.unit ?? options.unit ?? 'step';
    for (let i = 0; i < values.length; i++) sink.scalar(tag, steps[i] as number, values[i] as number, NaN, unit);
  }
  for (const [tag, spec] of Object.entries(options.histograms ?? {})) {
    for (let i = 0; i < spec.histograms.length; i++) sink.histogram(tag, spec.steps[i] as number, spec.histograms[i] as Histogram, NaN);
  }
  return run;
}

/**
 * Deterministic pseudo-random numbers in [0, 1) (mulberry32), so tests never depend on Math.random.
 * @example
 * const rand = seeded(42); rand(); // 0.6011...
 */
export function seeded(seed: number): () => number {
  return seededRandom(seed);
}

/**
 * `n` points of a curve `f(i)` with multiplicative noise of relative size `noise`, seeded.
 * @example
 * const loss = curve(200, (i) => 2.3 * Math.exp(-i / 50) + 0.1, 0.1, 1);
 */
export function curve(n: number, f: (i: number) => number, noise = 0, seed = 1): number[] {
  const rand = seeded(seed);
  return Array.from({ length: n }, (_, i) => f(i) * (1 + noise * (rand() * 2 - 1)));
}

/**
 * A Gaussian-shaped histogram with the given centre and spread, `buckets` buckets over +/-4 sigma.
 * @example
 * const h = gaussianHistogram(0, 0.05, 1000);
 */
export function gaussianHistogram(mean: number, std: number, num: number, buckets = 30): Histogram {
  const lo = mean - 4 * std;
  const width = (8 * std) / buckets;
  const bucketLimits: number[] = [];
  const bucketCounts: number[] = [];
  let sum = 0;
  let sumSquares = 0;
  for (let b = 0; b < buckets; b++) {
    const c = lo + (b + 0.5) * width;
    const count = (num * width * Math.exp(-((c - mean) ** 2) / (2 * std * std))) / (std * Math.sqrt(2 * Math.PI));
    bucketLimits.push(lo + (b + 1) * width);
    bucketCounts.push(count);
    sum += c * count;
    sumSquares += c * c * count;
  }
  return { min: lo, max: mean + 4 * std, num, sum, sumSquares, bucketLimits, bucketCounts };
}
