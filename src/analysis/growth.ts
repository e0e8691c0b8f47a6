/**
 * Sustained growth of a positive quantity (a gradient or weight norm) in orders of magnitude, judged on
 * a median-smoothed log curve so a single spike that recovers is not growth.
 */
import { blockMeans } from './resample.js';
import { median } from './robust.js';
import { medianSmooth } from './smooth.js';

/** Longer curves are block-averaged (in log space) to this many points first. */
const MAX_POINTS = 4000;

/** How much a positive curve grew, from its low point to where it ended. */
export interface Growth {
  /** log10(end / low): 1 = grew 10x, 2 = grew 100x. */
  readonly decades: number;
  /** Index and step of the (smoothed) low point the growth is measured from. */
  readonly fromIndex: number;
  readonly fromStep: number;
  readonly fromValue: number;
  /** Median of the last points (the level the curve ended at). */
  readonly endValue: number;
  /** Ratio end / first (smoothed): growth over the whole run. */
  readonly overRun: number;
  /** log10 growth over the last third of the curve (end level vs the smoothed value at 2/3): > 0 = still rising. */
  readonly recentDecades: number;
}

/**
 * Growth of the positive finite points of a curve; `null` with fewer than 3 such points.
 * @example
 * logGrowth([0, 1, 2, 3, 4, 5], [1, 10, 100, 1e3, 1e4, 1e5])?.decades // ~4
 */
export function logGrowth(steps: readonly number[], values: readonly number[]): Growth | null {
  const ps: number[] = [];
  const pv: number[] = [];
  values.forEach((v, i) => {
    if (Number.isFinite(v) && v > 0) {
      ps.push(steps[i] as number);
      pv.push(Math.log10(v));
    }
  });
  if (pv.length < 3) return null;
  // Long per-step curves: average blocks of log values (a sustained trend survives, cost stays bounded).
  const { steps: s, values: lv } = pv.length > MAX_POINTS ? blockMeans(ps, pv, MAX_POINTS) : { steps: ps, values: pv };
  const n = lv.length;
  const tail = Math.max(2, Math.min(Math.round(n * 0.1), 10));
  const w = Math.min(51, Math.max(3, Math.round(n * 0.05) | 1));
  const smooth = medianSmooth(lv, w);
  const end = median(lv.slice(n - tail));
  let from = 0;
  for (let i = 1; i < n - tail; i++) if ((smooth[i] as number) < (smooth[from] as number)) from = i;
  const third = Math.floor((2 * n) / 3);
  return {
    decades: end - (smooth[from] as number),
    fromIndex: from,
    fromStep: s[from] as number,
    fromValue: 10 ** (smooth[from] as number),
    endValue: 10 ** end,
    overRun: 10 ** (end - (smooth[0] as number)),
    recentDecades: end - (smooth[Math.min(third, n - 1)] as number),
  };
}
