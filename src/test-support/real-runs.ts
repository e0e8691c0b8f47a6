/**
 * Real runs of the hand-labelled set (`../shared/data/real-labelled`, beside the clone as in CI) for
 * check tests, read exactly the way the CLI reads them.
 */
import { fileURLToPath } from 'node:url';
import { discoverRuns } from '../formats/discover.js';
import { readers } from '../formats/index.js';
import { loadRun } from '../formats/load.js';
import type { Run } from '../telemetry/run.js';

/**
 * The absolute path of a file or run directory of the labelled set.
 * @example
 * realLabelledPath('lightning_csv/nebulae_nn/models/history.csv')
 */
export function realLabelledPath(rel: string): string {
  return fileURLToPath(new URL(`../../../shared/data/real-labelled/${rel}`, import.meta.url));
}

/**
 * Discovers and reads the first run under a path of the labelled set.
 * @example
 * const run = await loadRealRun('tensorboard/henry_tabular/lightning_logs/version_13');
 */
export async function loadRealRun(rel: string): Promise<Run> {
  const { runs } = await discoverRuns([realLabelledPath(rel)], readers);
  return (await loadRun(runs[0] as (typeof runs)[number])).run;
}
