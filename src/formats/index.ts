/**
 * Log readers, in detection order (first match wins).
 */
import { hfTrainerStateReader } from './hf-trainer-state/index.js';
import { jsonlReader } from './jsonl/index.js';
import { kerasCsvReader } from './keras-csv/index.js';
import { lightningCsvReader } from './lightning-csv/index.js';
import type { FormatReader } from './reader.js';
import { tensorboardReader } from './tensorboard/index.js';

/** Every reader nndoctor knows. */
export const readers: readonly FormatReader[] = [
  tensorboardReader,
  lightningCsvReader,
  kerasCsvReader,
  hfTrainerStateReader,
  jsonlReader,
];

export type { FormatReader, Problem, ReadCursor, ReadOptions, ReadResult } from './reader.js';
export type { Discovery, RunFile, RunSource } from './discover.js';
export { discoverRuns } from './discover.js';
export type { LoadedRun } from './load.js';
export { loadRun } from './load.js';
export { hfTrainerStateReader, jsonlReader, kerasCsvReader, lightningCsvReader, tensorboardReader };
