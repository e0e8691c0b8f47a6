/**
 * Downsampling for charts: a curve of any length becomes at most ~4 points per pixel column (M4: the
 * first, lowest, highest and last point of each bucket), so the drawn line is the same as the full
 * curve's at that width while a million points travel as a few thousand. Non-finite values never enter
 * the min/max; they are kept as markers (step, kind, count per bucket) and as a gap where a bucket
 * holds nothing finite.
 */
import type { NonFiniteMarker, NonFiniteName } from './api-types.js';

/** A downsampled curve. */
export interface Downsampled {
  /** Raw points in the range. */
  readonly points: number;
  readonly steps: number[];
  readonly values: Array<number | null>;
  readonly nonFinite: NonFiniteMarker[];
}

/** Optional x range (inclusive) to downsample; the nearest point outside each end is kept so lines reach the edges. */
export interface StepRange {
  readonly from?: number;
  readonly to?: number;
}

function nonFiniteName(v: number): NonFiniteName {
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/** First index with `steps[i] >= x` (or `> x` when `strict`), steps increasing. */
function bound(steps: ArrayLike<number>, x: number, strict: boolean): number {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = steps[mid] as number;
    if (s < x || (strict && s === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Reduces a curve (steps strictly increasing) to the first/min/max/last point of each of `buckets`
 * equal step ranges. Curves with at most `2 * buckets` points in range come back whole.
 * @example
 * const d = downsampleM4(curve.steps, curve.values, 800);
 * d.steps.length <= 3200 // true
 */
export function downsampleM4(steps: ArrayLike<number>, values: ArrayLike<number>, buckets: number, range: StepRange = {}): Downsampled {
  const n = steps.length;
  let start = range.from === undefined ? 0 : Math.max(0, bound(steps, range.from, false) - 1);
  const end = range.to === undefined ? n : Math.min(n, bound(steps, range.to, true) + 1);
  if (start > end) start = end;
  const count = end - start;
  const outS: number[] = [];
  const outV: Array<number | null> = [];
  const nonFinite: NonFiniteMarker[] = [];
  if (count <= 0) return { points: 0, steps: outS, values: outV, nonFinite };
  if (count <= 2 * buckets) {
    for (let i = start; i < end; i++) {
      const v = values[i] as number;
      outS.push(steps[i] as number);
      if (Number.isFinite(v)) outV.push(v);
      else {
        outV.push(null);
        nonFinite.push({ step: steps[i] as number, value: nonFiniteName(v), count: 1 });
      }
    }
    return { points: count, steps: outS, values: outV, nonFinite };
  }
  const x0 = steps[start] as number;
  const x1 = steps[end - 1] as number;
  const span = x1 - x0 || 1;
  let i = start;
  while (i < end) {
    const b = Math.min(buckets - 1, Math.floor((((steps[i] as number) - x0) / span) * buckets));
    let first = -1;
    let last = -1;
    let lo = -1;
    let hi = -1;
    let firstBad = -1;
    const bad: Partial<Record<NonFiniteName, { step: number; count: number }>> = {};
    for (; i < end; i++) {
      const s = steps[i] as number;
      if (Math.min(buckets - 1, Math.floor(((s - x0) / span) * buckets)) !== b) break;
      const v = values[i] as number;
      if (!Number.isFinite(v)) {
        const name = nonFiniteName(v);
        const m = bad[name];
        if (m) m.count++;
        else bad[name] = { step: s, count: 1 };
        if (firstBad < 0) firstBad = i;
        continue;
      }
      if (first < 0) first = i;
      last = i;
      if (lo < 0 || v < (values[lo] as number)) lo = i;
      if (hi < 0 || v > (values[hi] as number)) hi = i;
    }
    for (const name of ['NaN', 'Infinity', '-Infinity'] as const) {
      const m = bad[name];
      if (m) nonFinite.push({ step: m.step, value: name, count: m.count });
    }
    if (first < 0) {
      // Nothing finite in this bucket: a gap in the line, at the first non-finite step.
      outS.push(steps[firstBad] as number);
      outV.push(null);
      continue;
    }
    const picks = [first, lo, hi, last].sort((a, c) => a - c);
    let prev = -1;
    for (const p of picks) {
      if (p === prev) continue;
      prev = p;
      outS.push(steps[p] as number);
      outV.push(values[p] as number);
    }
  }
  return { points: count, steps: outS, values: outV, nonFinite };
}

/**
 * Means of the finite values of several series on one common step grid: the union of their steps
 * when it has at most `buckets` steps, else `buckets` equal step ranges (placed at their centres).
 * A column holding a non-finite value of a series is that value's name for the series.
 * @example
 * const grid = commonGrid([{ steps: [0, 1], values: [1, 2] }, { steps: [1], values: [NaN] }], 100);
 * grid.columns[1] // [2, 'NaN']
 */
export function commonGrid(
  series: ReadonlyArray<{ readonly steps: ArrayLike<number>; readonly values: ArrayLike<number> }>,
  buckets: number,
): { steps: number[]; columns: Array<Array<number | null | NonFiniteName>> } {
  let minStep = Infinity;
  let maxStep = -Infinity;
  const distinct = new Set<number>();
  let tooMany = false;
  for (const s of series) {
    for (let i = 0; i < s.steps.length; i++) {
      const x = s.steps[i] as number;
      if (x < minStep) minStep = x;
      if (x > maxStep) maxStep = x;
      if (!tooMany) {
        distinct.add(x);
        if (distinct.size > buckets) tooMany = true;
      }
    }
  }
  if (!Number.isFinite(minStep)) return { steps: [], columns: series.map(() => []) };
  let steps: number[];
  let column: (x: number) => number;
  if (!tooMany) {
    steps = [...distinct].sort((a, b) => a - b);
    const at = new Map(steps.map((x, i) => [x, i]));
    column = (x) => at.get(x) as number;
  } else {
    const span = maxStep - minStep || 1;
    steps = Array.from({ length: buckets }, (_, b) => minStep + ((b + 0.5) * span) / buckets);
    column = (x) => Math.min(buckets - 1, Math.floor(((x - minStep) / span) * buckets));
  }
  const columns = series.map((s) => {
    const sum = new Float64Array(steps.length);
    const cnt = new Uint32Array(steps.length);
    const bad: Array<NonFiniteName | undefined> = new Array(steps.length);
    for (let i = 0; i < s.steps.length; i++) {
      const c = column(s.steps[i] as number);
      const v = s.values[i] as number;
      if (Number.isFinite(v)) {
        sum[c] = (sum[c] as number) + v;
        cnt[c] = (cnt[c] as number) + 1;
      } else bad[c] ??= nonFiniteName(v);
    }
    const out: Array<number | null | NonFiniteName> = [];
    for (let c = 0; c < steps.length; c++) {
      const b = bad[c];
      out.push(b ?? ((cnt[c] as number) > 0 ? (sum[c] as number) / (cnt[c] as number) : null));
    }
    return out;
  });
  return { steps, columns };
}
