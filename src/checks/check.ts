/**
 * The check port: a catalogue check is a plain object, like an ESLint rule. Checks are pure: they read
 * the context and return findings; no I/O, no console, no globals.
 */
import type { Finding, Severity } from '../findings/finding.js';
import type { Curves } from '../telemetry/curves.js';
import type { Run } from '../telemetry/run.js';

/** Where a check gets its data: `log` = recorded curves, `live` = per-layer telemetry. */
export type CheckKind = 'log' | 'live';

/** What every check receives. */
export interface CheckContext {
  readonly run: Run;
  /** The run's curves by role (resolved once per run by the engine). */
  readonly curves: Curves;
}

/** A catalogue check. */
export interface Check {
  /** Stable id from CHECKS.md (`C1`, `T10`...). */
  readonly id: string;
  readonly title: string;
  /** The most severe finding this check can emit. */
  readonly severity: Severity;
  readonly kind: CheckKind;
  /** One sentence for docs and `--help`: what it detects and on which data. */
  readonly description: string;
  run(ctx: CheckContext): Finding[];
}

/** The parts of a finding a check supplies; {@link makeFinding} fills in the check's id and title. */
export type FindingInput = Omit<Finding, 'check' | 'title' | 'layer' | 'tags' | 'steps'> &
  Partial<Pick<Finding, 'title' | 'layer' | 'tags' | 'steps'>>;

/**
 * Builds a finding for `check` with sensible defaults (`layer: null`, `steps: null`, `tags: []`).
 * @example
 * makeFinding(check, { severity: 'error', message: 'loss is NaN from step 120', evidence: { step: 120 }, actions: ['lower the learning rate'] })
 */
export function makeFinding(check: Pick<Check, 'id' | 'title'>, input: FindingInput): Finding {
  return {
    check: check.id,
    title: input.title ?? check.title,
    severity: input.severity,
    message: input.message,
    tags: input.tags ?? [],
    layer: input.layer ?? null,
    steps: input.steps ?? null,
    evidence: input.evidence,
    actions: input.actions,
  };
}

/**
 * The "too little data" answer: an `info` finding saying what the check needs and what it got,
 * instead of guessing on a curve that is too short (`unit` step: the curve spans too few steps).
 * @example
 * if (curve.values.length < 8) return [tooLittleData(check, curve.tag, curve.values.length, 8)];
 */
export function tooLittleData(check: Pick<Check, 'id' | 'title'>, tag: string, points: number, needed: number, unit: 'point' | 'step' = 'point'): Finding {
  const what = unit === 'step' ? `spans ${points} step${points === 1 ? '' : 's'}` : `has ${points} point${points === 1 ? '' : 's'}`;
  return makeFinding(check, {
    severity: 'info',
    title: `${check.title}: too little data`,
    message: `${tag} ${what}; ${check.id} needs at least ${needed} to judge.`,
    tags: [tag],
    evidence: { insufficientData: true, points, needed },
    actions: ['log more often or train longer to let this check judge'],
  });
}
