/**
 * Live checks: the catalogue evaluated on the in-memory run while training goes on. Each new finding
 * is printed once, passed to `onFinding` once, and may ask training to stop. Pure TypeScript (no TF.js).
 */
import type { Check } from '../checks/check.js';
import { diagnoseRun } from '../diagnose/diagnose.js';
import type { Finding, Severity } from '../findings/finding.js';
import { severityRank, sortFindings } from '../findings/finding.js';
import type { Run } from '../telemetry/run.js';
import type { FindingContext } from './doctor-api.js';

/**
 * Checks that only make sense once training has ended: C4 says "the loss is still falling at the last
 * step", which is true at almost every step of a healthy run in progress.
 */
const AT_END_ONLY = new Set(['C4']);

/** Options of {@link LiveChecks}. */
export interface LiveChecksOptions {
  readonly checks: readonly Check[];
  readonly stopOn: 'error' | 'warning' | null;
  readonly onFinding: ((finding: Finding, context: FindingContext) => void) | null;
  readonly print: ((line: string) => void) | null;
}

/**
 * Keeps the findings raised so far and decides which are new.
 * @example
 * const live = new LiveChecks({ checks, stopOn: 'error', onFinding: null, print: null });
 * const stop = live.evaluate(run, 120, false); // the finding that asks to stop, or null
 */
export class LiveChecks {
  readonly #options: LiveChecksOptions;
  readonly #live: readonly Check[];
  readonly #raised = new Map<string, Finding>();
  #stop: Finding | null = null;

  constructor(options: LiveChecksOptions) {
    this.#options = options;
    this.#live = options.checks.filter((c) => !AT_END_ONLY.has(c.id));
  }

  /** The first finding that asked training to stop. */
  get stop(): Finding | null {
    return this.#stop;
  }

  /** Runs the checks on `run` (all of them when `final`); returns a new finding that asks to stop, else null. */
  evaluate(run: Run, step: number, final: boolean): Finding | null {
    const { report } = diagnoseRun(run, { checks: final ? this.#options.checks : this.#live });
    let stop: Finding | null = null;
    for (const f of report.findings) {
      const s = this.raise(f, step, run.id);
      stop ??= s;
    }
    return stop;
  }

  /**
   * Records one finding (from a check or from the live T1 localisation). A finding is new when no
   * finding of its check and title was raised yet, or when it is more severe than the one that was
   * (an escalation); a new one is printed and passed to `onFinding`, and returned when it asks training
   * to stop. Known findings only refresh their evidence (a less severe version does not replace a more
   * severe one). "Too little data" notes are ignored.
   */
  raise(finding: Finding, step: number, runId: string): Finding | null {
    if (finding.evidence.insufficientData === true) return null;
    const key = keyOf(finding);
    const known = this.#raised.get(key);
    // T1 names the first non-finite value: the first report (the live localisation) is kept. Others
    // refresh their evidence, but a finding never drops below the severity it was raised at.
    if (known && (finding.check === 'T1' || severityRank(finding.severity) < severityRank(known.severity))) return null;
    this.#raised.set(key, finding);
    if (known && severityRank(finding.severity) === severityRank(known.severity)) return null;
    this.#options.print?.(alertLine(finding, step));
    this.#options.onFinding?.(finding, { step, runId });
    if (this.#stop === null && stops(finding.severity, this.#options.stopOn)) {
      this.#stop = finding;
      return finding;
    }
    return null;
  }

  /** Every finding raised so far, latest evidence, worst first. */
  findings(): Finding[] {
    return sortFindings([...this.#raised.values()]);
  }
}

/** One alert per check and title: a check whose worst layer changes from one evaluation to the next is still one problem. */
function keyOf(f: Finding): string {
  return f.check === 'T1' ? 'T1' : `${f.check}|${f.title}`;
}

function stops(severity: Severity, stopOn: 'error' | 'warning' | null): boolean {
  return stopOn !== null && severityRank(severity) >= severityRank(stopOn);
}

/**
 * The one-line alert printed for a new finding.
 * @example
 * alertLine(finding, 12) // 'nndoctor: step 12 ERROR T1 Non-finite values: ...'
 */
export function alertLine(f: Finding, step: number): string {
  const where = f.layer ? ` [${f.layer}]` : '';
  return `nndoctor: step ${step} ${f.severity.toUpperCase()} ${f.check} ${f.title}${where}: ${f.message}`;
}
