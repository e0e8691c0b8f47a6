/**
 * Log readers, in detection order (first match wins).
 */
import { hfTrainerStateReader } from './hf-trainer-state/index.js';
import { jsonlReader } from './jsonl/index.js';
import { kerasCsvReader } from './keras-csv/index.js';
import { kerasHistoryReader } from './keras-history/index.js';
import { lightningCsvReader } from './lightning-csv/index.js';
import { plainCsvReader } from './plain-csv/index.js';
import { mlflowReader } from './mlflow/index.js';
import type { FormatReader } from './reader.js';
import { tensorboardReader } from './tensorboard/index.js';
import { wandbReader } from './wandb/index.js';

/** Every reader nndoctor knows. */
export const readers: readonly FormatReader[] = [
  tensorboardReader,
  mlflowReader,
  wandbReader,
  lightningCsvReader,
  kerasCsvReader,
  plainCsvReader,
  hfTrainerStateReader,
  kerasHistoryReader,
  jsonlReader,
];

export type { FormatReader, Problem, ReadCursor, ReadOptions, ReadResult } from './reader.js';
export type { DiscoverOptions, Discovery, RunFile, RunSource } from './discover.js';
export { discoverRuns } from './discover.js';
export type { LoadedRun } from './load.js';
export { loadRun } from './load.js';
export { hfTrainerStateReader, jsonlReader, kerasCsvReader, kerasHistoryReader, lightningCsvReader, mlflowReader, tensorboardReader, wandbReader };
