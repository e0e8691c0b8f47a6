/**
 * Non-finite values (NaN, +/-Infinity) in a curve.
 */

/**
 * Index of the first non-finite value, or -1.
 * @example
 * firstNonFinite([1, 2, NaN]) // 2
 */
export function firstNonFinite(values: readonly number[]): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i] as number)) return i;
  return -1;
}

/**
 * The finite points of a curve as parallel arrays.
 * @example
 * finitePoints([0, 1, 2], [1, NaN, 3]) // { steps: [0, 2], values: [1, 3] }
 */
export function finitePoints(steps: readonly number[], values: readonly number[]): { steps: number[]; values: number[] } {
  const s: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (Number.isFinite(x)) {
      s.push(steps[i] as number);
      v.push(x);
    }
  }
  return { steps: s, values: v };
}
