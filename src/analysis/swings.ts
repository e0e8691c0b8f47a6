/**
 * Swings of a curve: rises and falls of at least a given height (a zigzag with hysteresis), so noise
 * smaller than the height never counts and every counted swing is a real excursion. An oscillation is
 * a rise of at least `height` followed by a fall of at least `height`.
 */

/** One confirmed up-and-down excursion: a low, the high after it, and a fall of at least the height after that. */
export interface Oscillation {
  /** Index of the low the rise starts from. */
  readonly low: number;
  /** Index of the high the rise reaches. */
  readonly high: number;
  /** Height of the rise. */
  readonly rise: number;
}

/**
 * Complete oscillations (rise >= `height`, then fall >= `height`) of `values`, in order.
 * @example
 * oscillations([0, 1, 0, 1, 0], 0.5).length // 2
 * oscillations([0, 0.2, 0, 0.2, 0], 0.5).length // 0
 */
export function oscillations(values: readonly number[], height: number): Oscillation[] {
  const out: Oscillation[] = [];
  if (values.length < 3 || !(height > 0)) return out;
  const v = (i: number): number => values[i] as number;
  let mode: 'init' | 'up' | 'down' = 'init';
  let hi = 0;
  let lo = 0;
  let riseFrom = -1;
  for (let i = 1; i < values.length; i++) {
    const x = v(i);
    if (!Number.isFinite(x)) continue;
    if (mode === 'init') {
      if (x > v(hi)) hi = i;
      if (x < v(lo)) lo = i;
      if (v(hi) - v(lo) >= height) {
        mode = hi > lo ? 'up' : 'down';
        if (mode === 'up') riseFrom = lo;
      }
    } else if (mode === 'up') {
      if (x > v(hi)) hi = i;
      else if (v(hi) - x >= height) {
        if (riseFrom >= 0) out.push({ low: riseFrom, high: hi, rise: v(hi) - v(riseFrom) });
        mode = 'down';
        lo = i;
      }
    } else {
      if (x < v(lo)) lo = i;
      else if (x - v(lo) >= height) {
        riseFrom = lo;
        mode = 'up';
        hi = i;
      }
    }
  }
  return out;
}
