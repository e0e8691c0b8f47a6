/**
 * Chart data plumbing: series of different steps joined onto one x axis (uPlot wants aligned
 * columns), and the step -> epoch mapping for an epoch x axis.
 */

/** One series as x/y columns; `null` is a gap (a non-finite value), kept through the join. */
export interface XY {
  readonly x: readonly number[];
  readonly y: ReadonlyArray<number | null>;
}

/** Series joined on a shared, increasing x: `undefined` where a series has no point at that x (lines span it). */
export interface Joined {
  readonly x: number[];
  readonly ys: Array<Array<number | null | undefined>>;
}

/**
 * Outer-joins series on their x values.
 * @example
 * joinXY([{ x: [0, 2], y: [1, 3] }, { x: [1], y: [5] }]) // { x: [0, 1, 2], ys: [[1, undefined, 3], [undefined, 5, undefined]] }
 */
export function joinXY(series: readonly XY[]): Joined {
  const all = new Set<number>();
  for (const s of series) for (const x of s.x) all.add(x);
  const x = [...all].sort((a, b) => a - b);
  const at = new Map<number, number>();
  x.forEach((v, i) => at.set(v, i));
  const ys = series.map((s) => {
    const col: Array<number | null | undefined> = new Array(x.length).fill(undefined);
    s.x.forEach((v, i) => {
      col[at.get(v) as number] = s.y[i] ?? null;
    });
    return col;
  });
  return { x, ys };
}

/** A step -> epoch mapping built from a run's `epoch` curve. */
export interface EpochMap {
  /** Steps where the epoch value changes (first step of each value), increasing. */
  readonly steps: readonly number[];
  readonly epochs: readonly number[];
}

/**
 * Builds the mapping from an epoch curve (Lightning logs the integer epoch per step, Hugging Face a
 * fractional one). Returns null when the curve cannot serve as an axis.
 * @example
 * epochMap({ steps: [0, 50, 100, 150], values: [0, 0, 1, 1] }) // anchors at steps 0 and 100
 */
export function epochMap(curve: { readonly steps: readonly number[]; readonly values: readonly number[] } | null): EpochMap | null {
  if (!curve || curve.steps.length < 2) return null;
  const steps: number[] = [];
  const epochs: number[] = [];
  for (let i = 0; i < curve.steps.length; i++) {
    const v = curve.values[i] as number;
    if (!Number.isFinite(v)) continue;
    if (epochs.length > 0 && v <= (epochs[epochs.length - 1] as number)) continue;
    steps.push(curve.steps[i] as number);
    epochs.push(v);
  }
  return steps.length >= 2 ? { steps, epochs } : null;
}

/** Linear interpolation through increasing `xs`, extended past the ends with the nearest segment's slope. */
function interp(xs: readonly number[], ys: readonly number[], x: number): number {
  const n = xs.length;
  let lo = 0;
  let hi = n - 1;
  if (x <= (xs[0] as number)) hi = 1;
  else if (x >= (xs[n - 1] as number)) lo = n - 2;
  else {
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((xs[mid] as number) <= x) lo = mid;
      else hi = mid;
    }
  }
  const x0 = xs[lo] as number;
  const x1 = xs[hi] as number;
  const y0 = ys[lo] as number;
  const y1 = ys[hi] as number;
  return x1 === x0 ? y0 : y0 + ((x - x0) * (y1 - y0)) / (x1 - x0);
}

/**
 * The (fractional) epoch at a step: linear between the anchors, extended past the ends with the
 * nearest segment's slope.
 * @example
 * toEpoch(map, 50) // 0.5 when epoch 1 starts at step 100
 */
export function toEpoch(map: EpochMap, step: number): number {
  return interp(map.steps, map.epochs, step);
}

/**
 * The step at a (fractional) epoch: the inverse of {@link toEpoch}.
 * @example
 * toStep(map, 0.5) // 50 when epoch 1 starts at step 100
 */
export function toStep(map: EpochMap, epoch: number): number {
  return interp(map.epochs, map.steps, epoch);
}
