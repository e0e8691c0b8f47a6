/**
 * TensorBoard's smoothing: a debiased exponential moving average over the points of a series (here the
 * downsampled points the chart has), skipping gaps.
 */

/**
 * Smooths `values` with weight `w` in [0, 1) (0 = no smoothing). Null stays null.
 * @example
 * emaSmooth([1, 2, 3], 0.5) // [1, 1.667, 2.429] (rounded)
 */
export function emaSmooth(values: ReadonlyArray<number | null | undefined>, w: number): Array<number | null | undefined> {
  if (!(w > 0)) return [...values];
  const out: Array<number | null | undefined> = new Array(values.length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * w + (1 - w) * v;
    n++;
    out[i] = last / (1 - w ** n);
  }
  return out;
}
