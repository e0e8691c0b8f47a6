/**
 * Which findings were already reported while watching, so each is printed once: a finding is the
 * same one while its run, check, layer and tags stay the same, whatever steps it names as data arrive.
 * It is reported again only when it gets more severe (warning -> error).
 */
import type { Finding } from '../findings/finding.js';
import { severityRank } from '../findings/finding.js';

/**
 * Remembers the most severe level reported per finding identity.
 * @example
 * const log = new FindingLog();
 * log.isNew('runs/a', finding); // true the first time
 * log.isNew('runs/a', { ...finding, steps: [0, 900] }); // false: same finding, later steps
 */
export class FindingLog {
  private readonly reported = new Map<string, number>();

  /** Whether `finding` of `run` is new or more severe than before; records it as reported if so. */
  isNew(run: string, finding: Finding): boolean {
    const key = findingKey(run, finding);
    const rank = severityRank(finding.severity);
    const before = this.reported.get(key);
    if (before !== undefined && before >= rank) return false;
    this.reported.set(key, rank);
    return true;
  }

  /** Forgets one finding of a run, so it is reported again when it comes back (used for stalls). */
  forget(run: string, finding: Pick<Finding, 'check' | 'layer' | 'tags'>): void {
    this.reported.delete(findingKey(run, finding));
  }

  /** Number of distinct findings reported. */
  get size(): number {
    return this.reported.size;
  }
}

function findingKey(run: string, f: Pick<Finding, 'check' | 'layer' | 'tags'>): string {
  return [run, f.check, f.layer ?? '', [...f.tags].sort().join(',')].join('\u0000');
}
