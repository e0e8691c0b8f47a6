/**
 * The fault port: a fault is a plain object, like a check. `apply` is a pure transform of a training
 * config; everything a fault changes is a config field the builder understands.
 */
import type { Severity } from '../findings/finding.js';
import type { TrainingConfig } from './config.js';

/** One fault from the catalogue of training bugs the demo (and the labelled corpus) can inject. */
export interface Fault {
  /** Stable kebab-case id (`lr-too-high`): used by `nndoctor demo --bug`, in log directory names and corpus labels. */
  readonly id: string;
  readonly title: string;
  /** One sentence: what the fault changes and why it breaks training. */
  readonly description: string;
  /**
   * Catalogue ids of the bug itself (what a probe check would name at its source: `M1`, `D2`...) or
   * of the procedure that finds it (`P2` for a learning rate); they may differ from the checks that
   * see its symptoms in the logs.
   */
  readonly causes: readonly string[];
  /**
   * Check ids nndoctor reports for this fault in the demo run (measured, not guessed), the one that
   * names the fault best first.
   */
  readonly checks: readonly string[];
  /** The severity each id of `checks` was reported at in the demo run. */
  readonly severity: Readonly<Record<string, Severity>>;
  /** Returns a new config with the fault injected; `config` is left untouched. */
  apply(config: TrainingConfig): TrainingConfig;
}
