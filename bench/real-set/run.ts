/**
 * The real-set half of `npm run bench:quality`: diagnoses the hand-labelled real runs the way a user
 * would (`diagnosePaths` on the set's root) and scores them on the whole set, on the tuning part and on
 * the holdout part (split by source repository, {@link partOf}).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { diagnosePaths } from '../../src/diagnose/diagnose-paths.js';
import type { PlacedLabel, RealPart } from './labels.js';
import { readRealLabels } from './labels.js';
import type { RealScore } from './score.js';
import { scoreRealSet } from './score.js';

/** Where the labelled real set lives next to a clone of this repository. */
export const REAL_SET = resolve(new URL('../../../shared/data/real-labelled/', import.meta.url).pathname);

/** The real-set scores: all labels, then each part. */
export interface RealSetResult {
  readonly root: string;
  readonly seconds: number;
  readonly all: RealScore;
  readonly parts: Readonly<Record<RealPart, RealScore>>;
  /** The repositories of each part, so a reader can see how the set was split. */
  readonly repositories: Readonly<Record<RealPart, readonly string[]>>;
}

/**
 * Diagnoses and scores the labelled real set at `root`; `null` when it is not there.
 * @example
 * const result = await scoreRealLogs(REAL_SET);
 * result?.parts.holdout.total.recall
 */
export async function scoreRealLogs(root: string = REAL_SET): Promise<RealSetResult | null> {
  if (!existsSync(resolve(root, 'labels.json'))) return null;
  const started = performance.now();
  const labels = await readRealLabels(root);
  const diagnosis = await diagnosePaths([root]);
  const of = (part: RealPart): PlacedLabel[] => labels.filter((l) => l.part === part);
  const repos = (part: RealPart): string[] => [...new Set(of(part).map((l) => l.repo))].sort();
  return {
    root,
    seconds: (performance.now() - started) / 1000,
    all: scoreRealSet(labels, diagnosis, root),
    parts: { tuning: scoreRealSet(of('tuning'), diagnosis, root), holdout: scoreRealSet(of('holdout'), diagnosis, root) },
    repositories: { tuning: repos('tuning'), holdout: repos('holdout') },
  };
}
