/**
 * `Math.min(...xs)` and `Math.max(...xs)` without the spread: spreading a series of 125k+ points into
 * arguments overflows the call stack. Same results: `NaN` if any value is `NaN`, `Infinity` /
 * `-Infinity` for an empty list.
 */

/**
 * The smallest value, as `Math.min(...values)`.
 * @example
 * minOf([3, 1, 2]) // 1
 */
export function minOf(values: readonly number[]): number {
  let out = Infinity;
  for (const v of values) out = Math.min(out, v);
  return out;
}

/**
 * The largest value, as `Math.max(...values)`.
 * @example
 * maxOf([3, 1, 2]) // 3
 */
export function maxOf(values: readonly number[]): number {
  let out = -Infinity;
  for (const v of values) out = Math.max(out, v);
  return out;
}
