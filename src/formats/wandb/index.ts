/**
 * W&B local run folders (`wandb/run-<date>_<time>-<id>/`, `wandb/offline-run-...`), what
 * `wandb.init()` writes beside a training script whether or not it syncs. Discovery makes one run of
 * each run folder: its history (`run-<id>.wandb`, or `wandb-history.jsonl` from 0.8 clients) and its
 * `config.yaml` (see `layout.ts`). Every scalar history key is a series keyed by its name, with the
 * row's `_step` as the step; histograms (`wandb.watch`'s `gradients/<param>`) are histogram series;
 * the config's values and the run's display name (`name`) are metadata.
 */
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { MetaValue, TelemetrySink } from '../../telemetry/run.js';
import { describeJsonError } from '../json/json-error.js';
import { parseLenientJson } from '../json/lenient-json.js';
import { isFinalRead, recordScanOptions, scanLines, type LinePosition } from '../lines/scan-lines.js';
import { describeIoError, problemList, type ProblemList } from '../problems/problem-list.js';
import type { FormatReader, ReadOptions, ReadResult } from '../reader.js';
import { readConfigYaml } from './config-yaml.js';
import { emitValue, INTERNAL_KEYS, parseValueJson, rowNumber } from './history.js';
import { JSONL_HISTORY, isWandbHistory } from './layout.js';
import { scanLog, type LogIssue, type LogState } from './log-records.js';
import { int64ToNumber } from '../protobuf/int64.js';
import { decodeRecord, itemKey, type ItemMessage, type RecordMessage } from './proto.js';

export { isWandbHistory, wandbFileOrder, wandbPart, wandbRunDirOf } from './layout.js';

/** Text config values longer than this are cut (as in config.yaml and MLflow params). */
const MAX_TEXT_CHARS = 200;

/**
 * Reads the files of a W&B run folder: `run-<id>.wandb`, `wandb-history.jsonl` or `config.yaml`.
 * @example
 * const run = createRun('wandb/run-20240430_164045-19xavnde', 'wandb');
 * await wandbReader.read('wandb/run-20240430_164045-19xavnde/files/config.yaml', runSink(run), {});
 * await wandbReader.read('wandb/run-20240430_164045-19xavnde/run-19xavnde.wandb', runSink(run), { final: true });
 * run.scalars.get('train/loss')?.values.length; // one point per row that logged it
 */
export const wandbReader: FormatReader = {
  name: 'wandb',
  detect(path: string, head: Uint8Array): boolean {
    try {
      return isWandbHistory(path, head);
    } catch {
      return false;
    }
  },
  async read(path: string, sink: TelemetrySink, options: ReadOptions): Promise<ReadResult> {
    const name = basename(path);
    if (name === 'config.yaml') return readConfigYaml(path, sink, options);
    if (name === JSONL_HISTORY) return readHistoryJsonl(path, sink, options);
    return readLog(path, sink, options);
  },
};

/** Cursor state of a `.wandb` log: the framing's, and the last step (for rows without one). */
interface WandbLogState extends LogState {
  readonly lastStep: number | null;
}

async function readLog(path: string, sink: TelemetrySink, options: ReadOptions): Promise<ReadResult> {
  const problems = problemList(options.displayPath ?? path);
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (error) {
    problems.add('unreadable', `cannot read the file: ${describeIoError(error)}`);
    return { cursor: options.from ?? { offset: 0 }, problems: problems.toArray(), records: 0 };
  }
  try {
    const size = (await fh.stat()).size;
    const prior = logState(options.from?.state);
    // A file now shorter than the cursor was replaced: read it from the start.
    const resume = options.from !== undefined && prior !== null && options.from.offset <= size;
    const ctx = { lastStep: resume ? (prior?.lastStep ?? null) : null, records: 0 };
    const end = await scanLog(fh, resume ? (options.from?.offset ?? 0) : 0, { skipping: resume ? (prior?.skipping ?? false) : false }, {
      record(data, offset) {
        let record: RecordMessage;
        try {
          record = decodeRecord(data);
        } catch (error) {
          problems.add('bad-record', `record at byte ${offset}: checksum right but not a W&B Record (${error instanceof Error ? error.message : String(error)}); skipped`);
          return;
        }
        if (applyRecord(record, sink, ctx)) ctx.records++;
      },
      issue(issue) {
        reportIssue(issue, problems);
      },
      ...(options.onProgress ? { progress: (bytes: number) => options.onProgress?.(bytes) } : {}),
    });
    if (end.tail !== null && isFinalRead(options)) {
      const { offset, found } = end.tail;
      problems.add('truncated', `the file ends inside the record at byte ${offset} (${found} of its bytes there: the run crashed or is still writing it); read up to byte ${offset}`);
    }
    const state: WandbLogState = { ...end.state, lastStep: ctx.lastStep };
    return { cursor: { offset: end.offset, state }, problems: problems.toArray(), records: ctx.records };
  } catch (error) {
    problems.add('unreadable', `cannot read the file: ${describeIoError(error)}`);
    return { cursor: options.from ?? { offset: 0 }, problems: problems.toArray(), records: 0 };
  } finally {
    await fh.close();
  }
}

function reportIssue(issue: LogIssue, problems: ProblemList): void {
  switch (issue.kind) {
    case 'bad-header':
      problems.add('bad-header', `byte 0: not a W&B transaction log (expected the header ":W&B", 0xBEE1, version 0); not read`);
      break;
    case 'bad-crc':
      problems.add('bad-crc', `byte ${issue.offset}: the checksum of a ${issue.length}-byte record fragment does not match${issue.recordOffset !== issue.offset ? ` (record starting at byte ${issue.recordOffset})` : ''}; record skipped, reading goes on at the next 32 KiB block`);
      break;
    case 'bad-length':
      problems.add('bad-record', `byte ${issue.offset}: a record header of type ${issue.type} claiming ${issue.length} bytes, more than its 32 KiB block holds (or an unknown type); reading goes on at the next block`);
      break;
    case 'bad-fragment':
      problems.add('bad-record', `byte ${issue.offset}: ${issue.detail}; that record is skipped`);
      break;
    case 'oversized':
      problems.add('bad-record', `byte ${issue.offset}: a record of over ${issue.length} bytes (corrupt fragments); skipped`);
      break;
    case 'zero-filled':
      problems.add('zero-filled', `bytes ${issue.offset}-${issue.end - 1}: zero bytes where records should be (data that never reached the disk); skipped`);
      break;
  }
}

/** A cursor state from a previous read, or null when it is not one. */
function logState(state: unknown): WandbLogState | null {
  if (typeof state !== 'object' || state === null) return null;
  const s = state as Record<string, unknown>;
  if (typeof s['skipping'] !== 'boolean') return null;
  return { skipping: s['skipping'], lastStep: typeof s['lastStep'] === 'number' ? s['lastStep'] : null };
}

/** Pushes what one Record holds; returns whether it was one nndoctor reads. */
function applyRecord(record: RecordMessage, sink: TelemetrySink, ctx: { lastStep: number | null }): boolean {
  if (record.history) {
    const items = record.history.item;
    const values = new Map<string, unknown>();
    for (const item of items) {
      const key = itemKey(item);
      if (key === null || item.value_json === undefined) continue;
      values.set(key, item.value_json);
    }
    const stepNum = record.history.step ? int64ToNumber(record.history.step.num) : undefined;
    emitRow(values, (v) => parseValueJson(String(v)), stepNum, sink, ctx);
    return true;
  }
  if (record.run) {
    const run = record.run;
    if (run.display_name) sink.meta('name', run.display_name);
    if (run.run_id) sink.meta('wandb.run_id', run.run_id);
    if (run.project) sink.meta('wandb.project', run.project);
    if (run.resumed) sink.meta('wandb.resumed', true);
    const starting = int64ToNumber(run.starting_step);
    if (starting) sink.meta('wandb.starting_step', starting);
    if (run.config) applyConfig(run.config.update, sink);
    return true;
  }
  if (record.config) {
    applyConfig(record.config.update, sink);
    return true;
  }
  if (record.exit) {
    sink.meta('wandb.exit_code', record.exit.exit_code ?? 0);
    return true;
  }
  return false;
}

/** Config items as metadata: top-level scalars (numbers, text, booleans); `_wandb` and nested values skipped. */
function applyConfig(items: readonly ItemMessage[], sink: TelemetrySink): void {
  for (const item of items) {
    const key = itemKey(item);
    if (key === null || key === '_wandb' || key.startsWith('_wandb/') || item.value_json === undefined) continue;
    let value: unknown;
    try {
      value = JSON.parse(item.value_json) as unknown;
    } catch {
      continue;
    }
    // wandb-core writes `{"value": X}` items on resume in some versions; the plain value otherwise.
    const meta = metaValue(value);
    if (meta !== undefined) sink.meta(key, meta);
  }
}

function metaValue(value: unknown): MetaValue | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.length > MAX_TEXT_CHARS ? `${value.slice(0, MAX_TEXT_CHARS - 3)}...` : value;
  return undefined;
}

/**
 * One history row: its step is `_step` (or the record's step, or one more than the last row's), its
 * wall time `_timestamp`; every other key goes through {@link emitValue}.
 */
function emitRow(row: ReadonlyMap<string, unknown>, parse: (raw: unknown) => unknown, stepNum: number | undefined, sink: TelemetrySink, ctx: { lastStep: number | null }): void {
  const stepRaw = row.get('_step');
  const step = (stepRaw !== undefined ? rowNumber(parse(stepRaw)) : undefined) ?? stepNum ?? (ctx.lastStep === null ? 0 : ctx.lastStep + 1);
  const timeRaw = row.get('_timestamp');
  const wallTime = (timeRaw !== undefined ? rowNumber(parse(timeRaw)) : undefined) ?? NaN;
  ctx.lastStep = step;
  for (const [key, raw] of row) {
    if (INTERNAL_KEYS.has(key)) continue;
    emitValue(sink, key, parse(raw), step, wallTime);
  }
}

/** Cursor state of a `wandb-history.jsonl`: lines consumed and the last step. */
interface JsonlHistoryState {
  readonly line: number;
  readonly lastStep: number | null;
}

/** The 0.8 clients' `wandb-history.jsonl`: one JSON object per `wandb.log` call. */
async function readHistoryJsonl(path: string, sink: TelemetrySink, options: ReadOptions): Promise<ReadResult> {
  const problems = problemList(options.displayPath ?? path);
  const prior = jsonlState(options.from?.state);
  try {
    const size = (await stat(path)).size;
    const resume = options.from !== undefined && prior !== null && options.from.offset <= size;
    const start: LinePosition = resume ? { offset: options.from?.offset ?? 0, line: prior.line } : { offset: 0, line: 0 };
    const ctx = { lastStep: resume ? prior.lastStep : null };
    let records = 0;
    const end = await scanLines(path, start, (line) => {
      if (line.overlong) {
        problems.add('line-too-long', `line ${line.number} (byte ${line.offset}): longer than the line limit; skipped`);
        return;
      }
      const text = line.text.trim();
      if (text === '') return;
      let row: unknown;
      try {
        row = parseLenientJson(text);
      } catch (error) {
        const what = describeJsonError(error, text);
        if (!line.terminated) problems.add('truncated', `line ${line.number} (byte ${line.offset}): the last line has no line end and is not complete JSON (${what}): cut short; line skipped`);
        else problems.add('bad-json', `line ${line.number} (byte ${line.offset}): not valid JSON (${what}); line skipped`);
        return;
      }
      if (typeof row !== 'object' || row === null || Array.isArray(row)) {
        problems.add('bad-row', `line ${line.number} (byte ${line.offset}): not a JSON object; line skipped`);
        return;
      }
      emitRow(new Map(Object.entries(row)), (v) => v, undefined, sink, ctx);
      records++;
    }, recordScanOptions(options, problems));
    const state: JsonlHistoryState = { line: end.line, lastStep: ctx.lastStep };
    return { cursor: { offset: end.offset, state }, problems: problems.toArray(), records };
  } catch (error) {
    problems.add('unreadable', `cannot read the file: ${describeIoError(error)}`);
    return { cursor: options.from ?? { offset: 0 }, problems: problems.toArray(), records: 0 };
  }
}

function jsonlState(state: unknown): JsonlHistoryState | null {
  if (typeof state !== 'object' || state === null) return null;
  const s = state as Record<string, unknown>;
  if (typeof s['line'] !== 'number') return null;
  return { line: s['line'], lastStep: typeof s['lastStep'] === 'number' ? s['lastStep'] : null };
}
