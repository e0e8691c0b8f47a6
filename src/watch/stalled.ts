/**
 * The one finding watch makes itself: a run whose files stopped growing. It is `info` (the run may
 * simply have finished), says for how long and at which step, and is not a catalogue check.
 */
import type { Finding } from '../findings/finding.js';
import { formatNumber } from '../report/format-number.js';

/** The `check` id of the stalled-run finding. */
export const STALLED = 'STALLED';

/**
 * The finding for a run with no growth for `seconds` seconds.
 * @example
 * stalledFinding(312, 300, 1200).message
 * // 'no new data for 312 s (since step 1200); threshold 300 s'
 */
export function stalledFinding(seconds: number, stallAfter: number, lastStep: number | null): Finding {
  const s = Math.round(seconds);
  return {
    check: STALLED,
    severity: 'info',
    title: 'Run stalled',
    message: `no new data for ${s} s${lastStep === null ? '' : ` (since step ${formatNumber(lastStep)})`}; threshold ${formatNumber(stallAfter)} s`,
    tags: [],
    layer: null,
    steps: lastStep === null ? null : [lastStep, lastStep],
    evidence: { secondsSinceGrowth: s, stallAfter, lastStep },
    actions: [
      'check that the training process is still alive (it may have finished, crashed, hung on I/O or a dataloader, or been pre-empted)',
      'if it is alive, check that it still logs to this directory (a new run directory, a changed logger path)',
    ],
  };
}
