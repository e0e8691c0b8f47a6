/**
 * Fisher's exact test on a 2x2 table, one-sided: how likely a split at least this lopsided is when
 * the runs with a finding were drawn at random (hypergeometric tail). Exact for the small counts of a
 * sweep; log-factorials keep it finite for thousands of runs.
 */

const logFactorials: number[] = [0];

function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++) logFactorials.push((logFactorials[i - 1] as number) + Math.log(i));
  return logFactorials[n] as number;
}

function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

/**
 * One-sided Fisher exact p-value: the probability that a group of `groupSize` runs drawn at random
 * from `total` runs, `withFinding` of which have the finding, holds `hits` or more of them.
 * @example
 * fisherOneSided(6, 6, 26, 6)  // all 6 runs of the group have it, none of the 20 others: 1 / C(26, 6) = 4.3e-6
 * fisherOneSided(3, 6, 12, 6)  // half and half: 0.72, nothing to see
 */
export function fisherOneSided(hits: number, groupSize: number, total: number, withFinding: number): number {
  if (![hits, groupSize, total, withFinding].every((x) => Number.isInteger(x) && x >= 0)) throw new RangeError('counts must be non-negative integers');
  if (groupSize > total || withFinding > total || hits > groupSize || hits > withFinding) throw new RangeError('impossible 2x2 table');
  const lo = Math.max(hits, groupSize + withFinding - total);
  const hi = Math.min(groupSize, withFinding);
  const denominator = logChoose(total, groupSize);
  let p = 0;
  for (let x = lo; x <= hi; x++) p += Math.exp(logChoose(withFinding, x) + logChoose(total - withFinding, groupSize - x) - denominator);
  return Math.min(1, p);
}
