/**
 * What the watch engine reports, as plain data: new findings, the live status of a run, input
 * problems, and the totals at the end. Renderers (text, JSON lines, the terminal status block) and the
 * CLI consume these; the engine never prints.
 */
import type { Finding, Severity } from '../findings/finding.js';
import type { Problem } from '../formats/reader.js';
import type { StepUnit } from '../telemetry/series.js';

/** A finding reported for the first time (or more severe than before). */
export interface WatchFinding {
  readonly run: string;
  /** How to read `finding.steps`: optimiser steps or epochs. */
  readonly unit: StepUnit;
  readonly finding: Finding;
}

/**
 * A finding reported earlier that the checks, run again on more data, no longer find (see
 * `FindingLog`): the run recovered, or the evidence was borderline. Reported again if it comes back.
 */
export interface WatchResolved {
  readonly run: string;
  readonly unit: StepUnit;
  /** The finding as it was last reported or seen. */
  readonly finding: Finding;
  /** The run's latest step when it was resolved (raw, in `unit`), or null. */
  readonly step: number | null;
}

/** The live state of one run, for status lines. */
export interface RunStatus {
  readonly run: string;
  readonly format: string;
  /** Latest step of the training loss (or of any series), raw. */
  readonly step: number | null;
  readonly unit: StepUnit;
  readonly trainLoss: { readonly tag: string; readonly value: number } | null;
  readonly valLoss: { readonly tag: string; readonly value: number } | null;
  /** The worst current finding (ignoring too-little-data notes), or null. */
  readonly worst: Finding | null;
  readonly stalled: boolean;
}

/** Where the engine reports. Every callback is optional. */
export interface WatchEvents {
  finding?(event: WatchFinding): void;
  /** A reported finding is gone (the checks have not found it for two passes in a row). */
  resolved?(event: WatchResolved): void;
  problem?(problem: Problem): void;
  status?(status: RunStatus): void;
  /** A given path holds no log (yet); reported once per path. */
  waiting?(path: string): void;
}

/** Totals at the end of a watch. */
export interface WatchSummary {
  readonly runs: number;
  readonly findings: Record<Severity, number>;
  /** Reported findings that went away again while watching. */
  readonly resolved: number;
  readonly problems: number;
  readonly elapsedMs: number;
}
