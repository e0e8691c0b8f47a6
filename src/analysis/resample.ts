/**
 * Resampling one curve onto another curve's steps, e.g. a per-step train loss onto per-epoch
 * validation steps, so the two can be compared point by point.
 */

/**
 * For each target step `t[i]`, the mean of the finite source values logged in `(t[i-1], t[i]]`
 * (for `i = 0`: at or before `t[0]`). A bin without source points takes the last finite source value
 * at or before `t[i]`, or `NaN` when there is none.
 * @example
 * binnedMeans([0, 1, 2, 3, 4, 5], [6, 5, 4, 3, 2, 1], [2, 5]) // [5, 2]
 */
export function binnedMeans(srcSteps: readonly number[], srcValues: readonly number[], targetSteps: readonly number[]): number[] {
  const out: number[] = [];
  let j = 0;
  let last = NaN;
  for (let i = 0; i < targetSteps.length; i++) {
    const hi = targetSteps[i] as number;
    let sum = 0;
    let n = 0;
    while (j < srcSteps.length && (srcSteps[j] as number) <= hi) {
      const v = srcValues[j] as number;
      if (Number.isFinite(v)) {
        sum += v;
        n++;
        last = v;
      }
      j++;
    }
    out.push(n > 0 ? sum / n : last);
  }
  return out;
}

/**
 * Maps steps of one axis linearly onto another axis' range: used when two curves count steps in
 * different units (one per batch, one per epoch) and nothing better is known.
 * @example
 * rescaleSteps([0, 50, 100], [0, 10]) // [0, 5, 10]
 */
export function rescaleSteps(steps: readonly number[], targetRange: readonly [number, number]): number[] {
  if (steps.length === 0) return [];
  const lo = steps[0] as number;
  const hi = steps[steps.length - 1] as number;
  const [a, b] = targetRange;
  if (hi === lo) return steps.map(() => a);
  return steps.map((s) => a + ((s - lo) / (hi - lo)) * (b - a));
}

/**
 * Averages consecutive blocks of points so that at most `maxPoints` remain (steps: the mean step of each
 * block). Periods longer than a few blocks survive; per-point noise shrinks. Non-finite values are skipped.
 * @example
 * blockMeans([0, 1, 2, 3], [1, 3, 5, 7], 2) // { steps: [0.5, 2.5], values: [2, 6] }
 */
export function blockMeans(steps: readonly number[], values: readonly number[], maxPoints: number): { steps: number[]; values: number[] } {
  const size = Math.max(1, Math.ceil(values.length / Math.max(1, maxPoints)));
  const outS: number[] = [];
  const outV: number[] = [];
  for (let i = 0; i < values.length; i += size) {
    let s = 0;
    let v = 0;
    let n = 0;
    for (let j = i; j < Math.min(values.length, i + size); j++) {
      const x = values[j] as number;
      if (!Number.isFinite(x)) continue;
      s += steps[j] as number;
      v += x;
      n++;
    }
    if (n > 0) {
      outS.push(s / n);
      outV.push(v / n);
    }
  }
  return { steps: outS, values: outV };
}
