/**
 * nndoctor's own JSONL format (docs/jsonl-format.md): one JSON object per line, for frameworks that
 * write nothing else. Read streaming from a byte offset; a last line without `\n` is still being
 * written and is left for the next read.
 */
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { FormatReader, ReadOptions, ReadResult } from '../reader.js';
import type { TelemetrySink } from '../../telemetry/run.js';
import { describeJsonError } from '../json/json-error.js';
import { parseLenientJson } from '../json/lenient-json.js';
import { recordScanOptions, scanLines, type LinePosition } from '../lines/scan-lines.js';
import { describeIoError, problemList } from '../problems/problem-list.js';
import { decodeRecord, type DecodeContext } from './decode-record.js';

/** Cursor state: lines consumed (for line numbers in problems) and the epoch bookkeeping. */
interface JsonlState {
  readonly line: number;
  readonly lastEpochStep: number | null;
}

/**
 * Reads `.jsonl`/`.ndjson` files in nndoctor's JSONL format.
 * @example
 * // metrics.jsonl: {"step": 1, "train/loss": 0.9}\n{"step": 2, "train/loss": 0.7}\n
 * const run = createRun('my_run', 'jsonl');
 * const { cursor } = await jsonlReader.read('my_run/metrics.jsonl', runSink(run), {});
 * run.scalars.get('train/loss')?.values; // [0.9, 0.7]
 */
export const jsonlReader: FormatReader = {
  name: 'jsonl',
  detect(path: string, head: Uint8Array): boolean {
    try {
      const ext = extname(path).toLowerCase();
      if (ext !== '.jsonl' && ext !== '.ndjson') return false;
      const text = new TextDecoder().decode(head.subarray(0, 64)).replace(/^\uFEFF/, '').trimStart();
      return text === '' || text.startsWith('{');
    } catch {
      return false;
    }
  },
  read,
};

async function read(path: string, sink: TelemetrySink, options: ReadOptions): Promise<ReadResult> {
  const problems = problemList(options.displayPath ?? path);
  const prior = jsonlState(options.from?.state);
  try {
    const size = (await stat(path)).size;
    // A file now shorter than the cursor was replaced: read it from the start, as a restart.
    const resume = options.from !== undefined && prior !== null && options.from.offset <= size;
    const start: LinePosition = resume ? { offset: options.from?.offset ?? 0, line: prior.line } : { offset: 0, line: 0 };
    const ctx: DecodeContext = { lastEpochStep: resume ? prior.lastEpochStep : null };
    let records = 0;
    const end = await scanLines(path, start, (line) => {
      if (line.overlong) {
        problems.add('line-too-long', `line ${line.number} (byte ${line.offset}): longer than the line limit; skipped`);
        return;
      }
      const text = line.text.trim();
      if (text === '') return;
      let record: unknown;
      try {
        record = parseLenientJson(text);
      } catch (error) {
        if (!line.terminated) {
          problems.add('truncated', `line ${line.number} (byte ${line.offset}): the last line has no line end and is not complete JSON (${describeJsonError(error, text)}): cut short; line skipped`);
          return;
        }
        problems.add('bad-json', `line ${line.number} (byte ${line.offset}): not valid JSON (${describeJsonError(error, text)}); line skipped`);
        return;
      }
      if (decodeRecord(record, line.number, sink, problems, ctx)) records += 1;
    }, recordScanOptions(options, problems));
    const state: JsonlState = { line: end.line, lastEpochStep: ctx.lastEpochStep };
    return { cursor: { offset: end.offset, state }, problems: problems.toArray(), records };
  } catch (error) {
    problems.add('unreadable', `cannot read the file: ${describeIoError(error)}`);
    return { cursor: options.from ?? { offset: 0 }, problems: problems.toArray(), records: 0 };
  }
}

/** A cursor state from a previous read, or null when it is not one. */
function jsonlState(state: unknown): JsonlState | null {
  if (typeof state !== 'object' || state === null) return null;
  const s = state as Record<string, unknown>;
  if (typeof s['line'] !== 'number') return null;
  return { line: s['line'], lastEpochStep: typeof s['lastEpochStep'] === 'number' ? s['lastEpochStep'] : null };
}
