/**
 * Which findings were already reported while watching, so each is printed once: a finding is the
 * same one while its run, check, layer and tags stay the same, whatever steps it names as data arrive.
 * It is reported again only when it gets more severe (warning -> error), and it is *resolved* once the
 * checks, run again on more data, have not found it for {@link RESOLVE_AFTER} passes in a row (a loss
 * spike the run recovered from, a stall that ended); if it comes back, it is reported again.
 */
import type { Finding } from '../findings/finding.js';
import { severityRank } from '../findings/finding.js';

/** Check passes in a row without a finding before it counts as resolved (one pass can be a borderline flicker). */
export const RESOLVE_AFTER = 2;

interface Reported {
  /** The finding as last seen (its latest steps and message). */
  finding: Finding;
  /** Most severe level reported. */
  rank: number;
  /** Check passes in a row that did not find it. */
  misses: number;
}

/**
 * Remembers the findings reported per run and the most severe level reported for each.
 * @example
 * const log = new FindingLog();
 * log.isNew('runs/a', finding); // true the first time
 * log.isNew('runs/a', { ...finding, steps: [0, 900] }); // false: same finding, later steps
 * log.settle('runs/a', [], () => true); // []: missed once
 * log.settle('runs/a', [], () => true); // [finding]: resolved
 */
export class FindingLog {
  private readonly reported = new Map<string, Map<string, Reported>>();

  /** Whether `finding` of `run` is new or more severe than before; records it as reported if so. */
  isNew(run: string, finding: Finding): boolean {
    const key = findingKey(finding);
    const rank = severityRank(finding.severity);
    const of = this.of(run);
    const before = of.get(key);
    if (before !== undefined) {
      before.finding = finding;
      before.misses = 0;
      if (before.rank >= rank) return false;
      before.rank = rank;
      return true;
    }
    of.set(key, { finding, rank, misses: 0 });
    return true;
  }

  /**
   * After a check pass on `run` that found `present`: the reported findings of checks that pass judged
   * (`judged(checkId)`) and did not find count one miss; those missed {@link RESOLVE_AFTER} times in a
   * row are forgotten and returned (as last seen), so the caller can say they are resolved.
   */
  settle(run: string, present: readonly Finding[], judged: (check: string) => boolean): Finding[] {
    const of = this.reported.get(run);
    if (!of) return [];
    const found = new Set(present.map(findingKey));
    const resolved: Finding[] = [];
    for (const [key, r] of of) {
      if (found.has(key)) {
        r.misses = 0;
        continue;
      }
      if (!judged(r.finding.check) || ++r.misses < RESOLVE_AFTER) continue;
      of.delete(key);
      resolved.push(r.finding);
    }
    return resolved;
  }

  /** Forgets one finding of a run, so it is reported again when it comes back (used for stalls). */
  forget(run: string, finding: Pick<Finding, 'check' | 'layer' | 'tags'>): void {
    this.reported.get(run)?.delete(findingKey(finding));
  }

  /** Number of distinct findings reported and not resolved. */
  get size(): number {
    let n = 0;
    for (const of of this.reported.values()) n += of.size;
    return n;
  }

  private of(run: string): Map<string, Reported> {
    let of = this.reported.get(run);
    if (!of) {
      of = new Map();
      this.reported.set(run, of);
    }
    return of;
  }
}

function findingKey(f: Pick<Finding, 'check' | 'layer' | 'tags'>): string {
  return [f.check, f.layer ?? '', [...f.tags].sort().join(',')].join('\u0000');
}
