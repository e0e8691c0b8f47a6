/**
 * Hugging Face Trainer `trainer_state.json`: one JSON document the Trainer rewrites whole at every
 * save, whose `log_history` array holds one entry per logging or evaluation event. Every numeric
 * key of an entry except `step`/`epoch` becomes a point at `entry.step`; `epoch` becomes its own
 * series (step -> fractional epoch). Run summaries (`train_runtime`, `total_flos`, ...) and the
 * top-level settings (`max_steps`, `logging_steps`, ...) become run metadata.
 */
import { basename } from 'node:path';
import type { FormatReader, ReadOptions, ReadResult } from '../reader.js';
import type { TelemetrySink } from '../../telemetry/run.js';
import { describeJsonError } from '../json/json-error.js';
import { jsonNumber, parseLenientJson } from '../json/lenient-json.js';
import { problemList, type ProblemList } from '../problems/problem-list.js';
import { readWholeFile } from '../whole-file/read-whole-file.js';

/** Keys of log entries that summarise a run or an evaluation pass rather than tracing a curve. */
const SUMMARY_KEYS = new Set([
  'train_runtime', 'train_samples_per_second', 'train_steps_per_second', 'total_flos',
  'eval_runtime', 'eval_samples_per_second', 'eval_steps_per_second',
]);
/** Top-level keys kept as run metadata. */
const TOP_META = ['global_step', 'max_steps', 'num_train_epochs', 'train_batch_size', 'logging_steps', 'eval_steps'];

/** Cursor state: how many `log_history` entries were pushed, and the last step given an epoch point. */
interface HfState {
  readonly entries: number;
  readonly lastEpochStep: number | null;
}

/**
 * Reads `trainer_state.json` files. A resumed read re-reads the file only when its size changed
 * and pushes only the log entries not pushed before.
 * @example
 * const run = createRun('lora', 'hf-trainer-state');
 * const first = await hfTrainerStateReader.read('lora/trainer_state.json', runSink(run), {});
 * await hfTrainerStateReader.read('lora/trainer_state.json', runSink(run), { from: first.cursor }); // nothing new
 */
export const hfTrainerStateReader: FormatReader = {
  name: 'hf-trainer-state',
  detect(path: string, head: Uint8Array): boolean {
    try {
      if (basename(path).toLowerCase() === 'trainer_state.json') return true;
      if (!path.toLowerCase().endsWith('.json')) return false;
      const text = new TextDecoder().decode(head);
      return text.trimStart().startsWith('{') && text.includes('"log_history"');
    } catch {
      return false;
    }
  },
  read,
};

async function read(path: string, sink: TelemetrySink, options: ReadOptions): Promise<ReadResult> {
  const problems = problemList(options.displayPath ?? path);
  const unchanged = options.from ?? { offset: 0 };
  const prior = hfState(options.from?.state);
  const file = await readWholeFile(path, options, problems, { resumable: prior !== null });
  if ('done' in file) return file.done;
  const { text, size } = file;
  options.onProgress?.(size);
  let doc: unknown;
  try {
    doc = parseLenientJson(text);
  } catch (error) {
    problems.add('bad-json', `not valid JSON (${describeJsonError(error, text)}); expected a trainer_state.json object`);
    return { cursor: unchanged, problems: problems.toArray(), records: 0 };
  }
  const history = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)['log_history'] : undefined;
  if (!Array.isArray(history)) {
    const found = Array.isArray(doc) ? 'an array' : doc === null ? 'null' : typeof doc === 'object' ? 'an object without it' : typeof doc;
    problems.add('bad-shape', `byte 0: expected an object with a "log_history" array, found ${found}`);
    return { cursor: unchanged, problems: problems.toArray(), records: 0 };
  }
  const top = doc as Record<string, unknown>;
  for (const key of TOP_META) {
    const v = jsonNumber(top[key]);
    if (v !== undefined) sink.meta(key, v);
  }
  // A log shorter than what was pushed belongs to a new training run: push it all (a restart).
  const resumeAt = prior && prior.entries <= history.length ? prior.entries : 0;
  let lastEpochStep = resumeAt > 0 && prior ? prior.lastEpochStep : null;
  let records = 0;
  for (let i = resumeAt; i < history.length; i++) {
    const pushed = pushEntry(history[i], i, sink, problems, lastEpochStep);
    if (pushed !== undefined) {
      records += 1;
      lastEpochStep = pushed;
    }
  }
  const state: HfState = { entries: history.length, lastEpochStep };
  return { cursor: { offset: size, state }, problems: problems.toArray(), records };
}

/**
 * Pushes one log entry. Returns the last step given an epoch point after it (`undefined` when the
 * entry was unusable and nothing was pushed).
 */
function pushEntry(entry: unknown, index: number, sink: TelemetrySink, problems: ProblemList, lastEpochStep: number | null): number | null | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    problems.add('bad-shape', `log_history[${index}]: expected an object, found ${Array.isArray(entry) ? 'an array' : String(entry)}`);
    return undefined;
  }
  const e = entry as Record<string, unknown>;
  const step = jsonNumber(e['step']);
  if (step === undefined || !Number.isFinite(step)) {
    problems.add('bad-shape', `log_history[${index}]: expected a numeric "step", found ${JSON.stringify(e['step']) ?? 'none'}`);
    return undefined;
  }
  for (const [key, raw] of Object.entries(e)) {
    if (key === 'step' || key === 'epoch') continue;
    const value = jsonNumber(raw);
    if (value === undefined) continue;
    if (SUMMARY_KEYS.has(key)) sink.meta(key, value);
    else sink.scalar(key, step, value, NaN, 'step');
  }
  const epoch = jsonNumber(e['epoch']);
  if (epoch !== undefined && step !== lastEpochStep) {
    sink.scalar('epoch', step, epoch, NaN, 'step');
    return step;
  }
  return lastEpochStep;
}

/** A cursor state from a previous read, or null when it is not one. */
function hfState(state: unknown): HfState | null {
  if (typeof state !== 'object' || state === null) return null;
  const s = state as Record<string, unknown>;
  const entries = s['entries'];
  const last = s['lastEpochStep'];
  if (typeof entries !== 'number') return null;
  return { entries, lastEpochStep: typeof last === 'number' ? last : null };
}
