/**
 * Which settings go with a finding: for a finding that part of a sweep has, the parameter values
 * that separate the runs having it from those that do not. Reported only when the split is clean
 * enough to mean something:
 *
 * 1. Only runs that record the parameter take part (its *population*); a parameter needs at least two
 *    distinct values there.
 * 2. Candidate splits: a numeric parameter (every value a finite number) is cut at each threshold
 *    between two neighbouring values, the finding side being either the runs at or below it or those
 *    at or above the next value; any other parameter (text, booleans) is split by value, `= v` against
 *    the rest.
 * 3. Each side holds at least {@link MIN_SIDE_RUNS} runs; at least {@link MIN_SIDE_SHARE} of the
 *    finding side has the finding and at most {@link MAX_REST_SHARE} of the other side does (a perfect
 *    or near-perfect split).
 * 4. One-sided Fisher exact test of the 2x2 table (side x finding), Bonferroni-corrected by the number
 *    of candidate splits tried for this finding over every parameter (those meeting the size rule):
 *    `p x tries < {@link ALPHA}`.
 *
 * Of the splits that pass, the best per parameter is kept, parameters giving the very same split are
 * named together, and at most {@link MAX_SPLITS} are reported, most significant first.
 */
import { fisherOneSided } from './fisher.js';
import type { ParamValue, RunParams } from './params.js';

/** Fewest runs on each side of a split. */
export const MIN_SIDE_RUNS = 3;
/** Least share of the finding side that has the finding. */
export const MIN_SIDE_SHARE = 0.8;
/** Largest share of the other side that has the finding. */
export const MAX_REST_SHARE = 0.2;
/** Significance level of the Bonferroni-corrected one-sided Fisher test. */
export const ALPHA = 0.05;
/** Splits reported per finding at most. */
export const MAX_SPLITS = 3;

/** One run as the split search sees it. */
export interface SplitRun {
  readonly params: RunParams;
  readonly hasFinding: boolean;
}

/** One side of a split: the runs with `param op value`, and how many of them have the finding. */
export interface SplitSide {
  readonly op: '<=' | '>=' | '=' | '!=';
  readonly value: ParamValue;
  readonly runs: number;
  readonly withFinding: number;
}

/** A parameter split that separates the runs with a finding from those without. */
export interface ParamSplit {
  readonly param: string;
  /** Other parameters that split the runs exactly the same way. */
  readonly sameAs: readonly string[];
  /** The runs where the finding concentrates. */
  readonly side: SplitSide;
  /** The other runs that record the parameter. */
  readonly rest: SplitSide;
  /** One-sided Fisher exact p-value of this split. */
  readonly p: number;
  /** Candidate splits tried for this finding (the Bonferroni factor). */
  readonly tries: number;
  /** `min(1, p x tries)`: compared with {@link ALPHA}. */
  readonly pAdjusted: number;
}

interface Candidate {
  readonly param: string;
  readonly side: SplitSide;
  readonly rest: SplitSide;
  readonly p: number;
  /** Identity of the split: which runs are on the finding side, and which take part. */
  readonly key: string;
}

const isNumber = (v: ParamValue): v is number => typeof v === 'number' && Number.isFinite(v);
const valueKey = (v: ParamValue): string => `${typeof v}:${String(v)}`;

/**
 * The clean parameter splits of one finding over a sweep (the rule in this module's header).
 * @example
 * const runs = lrs.map((lr, i) => ({ params: { lr }, hasFinding: diverged[i] }));
 * findSplits(runs)[0] // { param: 'lr', side: { op: '>=', value: 0.01, runs: 6, withFinding: 6 }, rest: { op: '<=', value: 0.005, runs: 20, withFinding: 0 }, ... }
 */
export function findSplits(runs: readonly SplitRun[]): ParamSplit[] {
  const names = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.params)) names.add(k);
  const candidates: Candidate[] = [];
  let tries = 0;
  for (const param of names) {
    const members: Array<{ index: number; value: ParamValue; has: boolean }> = [];
    runs.forEach((r, index) => {
      const value = r.params[param];
      if (value !== undefined) members.push({ index, value, has: r.hasFinding });
    });
    const found = paramCandidates(param, members);
    tries += found.tried;
    candidates.push(...found.passing);
  }
  if (tries === 0) return [];
  const bestPerParam = new Map<string, Candidate>();
  for (const c of candidates) {
    const cur = bestPerParam.get(c.param);
    if (!cur || c.p < cur.p || (c.p === cur.p && c.side.runs > cur.side.runs)) bestPerParam.set(c.param, c);
  }
  const byKey = new Map<string, Candidate[]>();
  for (const c of [...bestPerParam.values()].sort((a, b) => a.p - b.p || b.side.runs - a.side.runs || a.param.localeCompare(b.param, 'en', { numeric: true }))) {
    const pAdjusted = Math.min(1, c.p * tries);
    if (pAdjusted >= ALPHA) continue;
    const same = byKey.get(c.key);
    if (same) same.push(c);
    else byKey.set(c.key, [c]);
  }
  return [...byKey.values()].slice(0, MAX_SPLITS).map((group) => {
    const first = group[0] as Candidate;
    return {
      param: first.param,
      sameAs: group.slice(1).map((c) => c.param),
      side: first.side,
      rest: first.rest,
      p: first.p,
      tries,
      pAdjusted: Math.min(1, first.p * tries),
    };
  });
}

/**
 * The candidate splits of one parameter: how many were tried, and those clean enough. Numeric
 * thresholds are scanned over the sorted values with running counts, so a parameter with a distinct
 * value per run (a seed) costs O(n log n), not O(n^2).
 */
function paramCandidates(param: string, members: ReadonlyArray<{ index: number; value: ParamValue; has: boolean }>): { tried: number; passing: Candidate[] } {
  const total = members.length;
  const withFinding = members.filter((m) => m.has).length;
  const passing: Candidate[] = [];
  let tried = 0;
  const population = members.map((m) => m.index).join(',');
  const consider = (n: number, hits: number, inSide: (m: (typeof members)[number]) => boolean, side: Omit<SplitSide, 'runs' | 'withFinding'>, rest: Omit<SplitSide, 'runs' | 'withFinding'>): void => {
    if (n < MIN_SIDE_RUNS || total - n < MIN_SIDE_RUNS) return;
    tried++;
    const restHits = withFinding - hits;
    if (hits / n < MIN_SIDE_SHARE || restHits / (total - n) > MAX_REST_SHARE) return;
    passing.push({
      param,
      side: { ...side, runs: n, withFinding: hits },
      rest: { ...rest, runs: total - n, withFinding: restHits },
      p: fisherOneSided(hits, n, total, withFinding),
      key: `${members.filter(inSide).map((m) => m.index).join(',')}|${population}`,
    });
  };
  const groups = new Map<string, { value: ParamValue; runs: number; hits: number }>();
  for (const m of members) {
    const key = valueKey(m.value);
    const g = groups.get(key) ?? { value: m.value, runs: 0, hits: 0 };
    g.runs++;
    if (m.has) g.hits++;
    groups.set(key, g);
  }
  if (groups.size < 2) return { tried: 0, passing };
  const values = [...groups.values()];
  if (values.every((g) => isNumber(g.value))) {
    values.sort((a, b) => (a.value as number) - (b.value as number));
    let runsBelow = 0;
    let hitsBelow = 0;
    for (let i = 0; i + 1 < values.length; i++) {
      runsBelow += (values[i] as { runs: number }).runs;
      hitsBelow += (values[i] as { hits: number }).hits;
      const lo = (values[i] as { value: number }).value;
      const hi = (values[i + 1] as { value: number }).value;
      consider(runsBelow, hitsBelow, (m) => (m.value as number) <= lo, { op: '<=', value: lo }, { op: '>=', value: hi });
      consider(total - runsBelow, withFinding - hitsBelow, (m) => (m.value as number) >= hi, { op: '>=', value: hi }, { op: '<=', value: lo });
    }
  } else {
    for (const [key, g] of groups) consider(g.runs, g.hits, (m) => valueKey(m.value) === key, { op: '=', value: g.value }, { op: '!=', value: g.value });
  }
  return { tried, passing };
}

/**
 * A split in words, with its counts and statistic.
 * @example
 * describeSplit(split, 'C2')
 * // 'all 6 runs with lr >= 0.01 have C2; none of the 20 with lr <= 0.005 do (one-sided Fisher p = 4.3e-6; 5.2e-5 corrected for the 12 splits tried)'
 */
export function describeSplit(split: ParamSplit, check: string, format: (v: ParamValue) => string = String): string {
  const name = split.sameAs.length > 0 ? `${split.param} (or ${split.sameAs.join(', ')})` : split.param;
  const cond = (s: SplitSide): string => `${name} ${s.op} ${format(s.value)}`;
  const { side, rest } = split;
  const head = side.withFinding === side.runs ? `all ${side.runs} runs` : `${side.withFinding} of ${side.runs} runs`;
  const tail =
    rest.withFinding === 0
      ? `none of the ${rest.runs} with ${cond(rest)} do`
      : `${rest.withFinding} of the ${rest.runs} with ${cond(rest)} ${rest.withFinding === 1 ? 'does' : 'do'}`;
  const stat = `one-sided Fisher p = ${formatP(split.p)}; ${formatP(split.pAdjusted)} corrected for the ${split.tries} split${split.tries === 1 ? '' : 's'} tried`;
  return `${head} with ${cond(side)} have ${check}; ${tail} (${stat})`;
}

/**
 * A p-value with two significant digits.
 * @example
 * formatP(4.3e-6) // '4.3e-6'
 * formatP(0.0123) // '0.012'
 */
export function formatP(p: number): string {
  if (p === 0) return '0';
  if (p < 1e-3) return p.toExponential(1).replace(/\.0e/, 'e');
  return String(Number(p.toPrecision(2)));
}
