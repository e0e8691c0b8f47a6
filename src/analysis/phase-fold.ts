/**
 * Folding a detrended series by the phase of a known period (epoch length): how much of its variance
 * the phase explains (a one-way ANOVA over phase bins). Works with fractional periods and sparse logs.
 */

/** How strongly a series repeats with a given period. */
export interface Periodicity {
  /** Share of the variance explained by the phase (0..1); about `(bins - 1) / n` for noise. */
  readonly eta2: number;
  /** ANOVA F statistic of the phase bins (about 1 for noise). */
  readonly f: number;
  /** Max minus min of the per-bin means: the peak-to-peak size of the repeating pattern. */
  readonly amplitude: number;
  /** Mean value per phase bin, bin 0 starting at `origin`. */
  readonly profile: readonly number[];
  /** Number of finite points used. */
  readonly n: number;
}

/**
 * The phase bin (0..bins-1) of each step for a period starting at `origin`.
 * @example
 * phaseBins([0, 5, 10, 15], 10, 2, 0) // [0, 1, 0, 1]
 */
export function phaseBins(steps: readonly number[], period: number, bins: number, origin: number): number[] {
  return steps.map((s) => {
    const phase = (((s - origin) % period) + period) % period;
    return Math.min(bins - 1, Math.floor((phase / period) * bins));
  });
}

/**
 * Folds `values` (already detrended) by phase and measures the periodicity.
 * @example
 * const steps = Array.from({ length: 100 }, (_, i) => i);
 * periodicity(steps, steps.map((s) => (s % 10 < 5 ? 1 : -1)), 10, 10, 0).eta2 // 1
 */
export function periodicity(steps: readonly number[], values: readonly number[], period: number, bins: number, origin: number): Periodicity {
  const bin = phaseBins(steps, period, bins, origin);
  const sums = new Array<number>(bins).fill(0);
  const counts = new Array<number>(bins).fill(0);
  let total = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    const b = bin[i] as number;
    sums[b] = (sums[b] as number) + v;
    counts[b] = (counts[b] as number) + 1;
    total += v;
    n++;
  }
  const mean = n > 0 ? total / n : NaN;
  const profile = sums.map((s, b) => ((counts[b] as number) > 0 ? s / (counts[b] as number) : NaN));
  let between = 0;
  let within = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    const m = profile[bin[i] as number] as number;
    within += (v - m) ** 2;
    between += (m - mean) ** 2;
  }
  const used = counts.filter((c) => c > 0).length;
  const eta2 = between + within > 0 ? between / (between + within) : 0;
  const f = used > 1 && n > used ? (between / (used - 1)) / Math.max(within / (n - used), Number.MIN_VALUE) : 0;
  const finiteProfile = profile.filter((p) => Number.isFinite(p));
  const amplitude = finiteProfile.length > 0 ? Math.max(...finiteProfile) - Math.min(...finiteProfile) : 0;
  return { eta2, f, amplitude, profile, n };
}
