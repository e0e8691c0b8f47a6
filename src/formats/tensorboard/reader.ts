/**
 * The TensorBoard event-file reader: TFRecord framing plus `Event` protos, streamed, resumable
 * from a cursor, with corrupt or truncated data reported as problems.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { TelemetrySink } from '../../telemetry/run.js';
import type { FormatReader, Problem, ReadOptions, ReadResult } from '../reader.js';
import type { Emitted, FileState } from './events.js';
import { emitEvent } from './events.js';
import type { EventMessage } from './proto.js';
import { decodeEvent } from './proto.js';
import type { FramingIssue } from './records.js';
import { FRAME_BYTES, HEADER_BYTES, headerLength, MAX_RECORD_BYTES, scanRecords } from './records.js';

/** Problems listed per read before the rest are only counted. */
const MAX_PROBLEMS = 20;
/** First byte of an Event written by any TensorBoard writer: field 1 (wall_time), wire type 1. */
const WALL_TIME_KEY = 0x09;

/**
 * Reads TensorBoard event files (`events.out.tfevents.*`) written by TF/Keras, PyTorch
 * `SummaryWriter`, tensorboardX or nndoctor's own writer.
 * @example
 * const run = createRun('runs/exp1', 'tensorboard');
 * const { cursor, problems } = await tensorboardReader.read('runs/exp1/events.out.tfevents.1.host', runSink(run), {});
 * // later, when the file has grown:
 * await tensorboardReader.read('runs/exp1/events.out.tfevents.1.host', runSink(run), { from: cursor });
 */
export const tensorboardReader: FormatReader = {
  name: 'tensorboard',
  detect(path: string, head: Uint8Array): boolean {
    try {
      if (basename(path).includes('tfevents')) return true;
      if (head.length < HEADER_BYTES + 1) return false;
      const length = headerLength(head, 0);
      return length !== null && length > 0 && head[HEADER_BYTES] === WALL_TIME_KEY;
    } catch {
      return false;
    }
  },
  read: readEventFile,
};

async function readEventFile(path: string, sink: TelemetrySink, options: ReadOptions): Promise<ReadResult> {
  const file = options.displayPath ?? path;
  const start = options.from?.offset ?? 0;
  const state = restoreState(options.from?.state);
  const problems: Problem[] = [];
  let dropped = 0;
  const report = (code: string, message: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push({ file, code, message: `${file}: ${message}` });
    else dropped++;
  };
  let records = 0;
  let consumed = start;
  let notEventFile = false;
  const counts: Emitted = { scalars: 0, histograms: 0 };
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (cause) {
    report('unreadable', `cannot read (${errorCode(cause)})`);
    return { cursor: { offset: start, state }, problems, records };
  }
  try {
    const { size } = await fh.stat();
    if (size < start) {
      report('shrunk', `file is ${size} bytes, shorter than the resume offset ${start}; it was truncated or replaced, read it again from the start`);
      return { cursor: { offset: start, state }, problems, records };
    }
    consumed = await scanRecords(fh, start, {
      record(payload, at) {
        consumed = at + payload.length + FRAME_BYTES;
        let event: EventMessage;
        try {
          event = decodeEvent(payload);
        } catch (cause) {
          if (at === 0) {
            notEventFile = true;
            report('not-event-file', `not a TensorBoard event file: the first record does not decode as an Event (${errorText(cause)})`);
            return false;
          }
          report('bad-record', `record at byte ${at} (${payload.length}-byte payload) does not decode as an Event (${errorText(cause)}); skipped it`);
          return true;
        }
        records++;
        if (at === 0 && event.file_version && !/^brain\.Event:[12]$/.test(event.file_version)) {
          report('unexpected-version', `file_version is '${event.file_version}', expected 'brain.Event:2'; reading on`);
        }
        try {
          emitEvent(event, sink, state, (code, message) => report(code, `record at byte ${at}: ${message}`), counts);
        } catch (cause) {
          report('bad-record', `record at byte ${at}: cannot use its summary values (${errorText(cause)}); skipped them`);
        }
        return true;
      },
      issue(issue) {
        describeIssue(issue, start, report, (end) => (consumed = end), () => (notEventFile = true));
      },
      ...(options.onProgress ? { progress: options.onProgress } : {}),
    });
  } catch (cause) {
    report('unreadable', `read failed after byte ${consumed} (${errorCode(cause)})`);
  } finally {
    await fh.close().catch(() => undefined);
  }
  if (dropped > 0) problems.push({ file, code: 'more-problems', message: `${file}: ${dropped} more problem(s) not listed` });
  return { cursor: { offset: notEventFile ? start : consumed, state }, problems, records };
}

function describeIssue(
  issue: FramingIssue,
  start: number,
  report: (code: string, message: string) => void,
  advance: (end: number) => void,
  notEventFile: () => void,
): void {
  const at = issue.offset;
  if (issue.kind === 'bad-payload-crc') {
    advance(at + issue.length + FRAME_BYTES);
    report('bad-crc', `payload CRC mismatch in the record at byte ${at} (${issue.length}-byte payload); skipped it and read on`);
  } else if (issue.kind === 'oversized') {
    report('bad-record', `the record header at byte ${at} declares a ${issue.length}-byte payload, more than the ${MAX_RECORD_BYTES}-byte maximum of a record; cannot trust the framing after it, read up to byte ${at}`);
  } else if (issue.kind === 'bad-length-crc') {
    if (at === 0) {
      notEventFile();
      report('not-event-file', 'not a TensorBoard event file: the first 12 bytes are not a record header (length checksum mismatch)');
    } else {
      report('bad-crc', `length CRC mismatch in the record header at byte ${at}; cannot trust the framing after it, read up to byte ${at}`);
    }
  } else if (at === 0 && start === 0 && implausibleHeader(issue.head)) {
    notEventFile();
    report('not-event-file', `not a TensorBoard event file: the first ${issue.found} byte(s) are not a record header`);
  } else {
    const expected = issue.expected === null ? `at least ${FRAME_BYTES}` : String(issue.expected);
    report('truncated', `incomplete record at byte ${at} (expected ${expected} bytes, found ${issue.found}); read up to byte ${at}`);
  }
}

/** A partial header whose length's high bytes are set (a length beyond 4 GiB): text, not a record. */
function implausibleHeader(head: Uint8Array): boolean {
  for (let i = 4; i < Math.min(8, head.length); i++) if (head[i] !== 0) return true;
  return false;
}

function restoreState(saved: unknown): FileState {
  const plugins: Record<string, string> = {};
  if (typeof saved === 'object' && saved !== null && 'plugins' in saved) {
    const given = (saved as { plugins: unknown }).plugins;
    if (typeof given === 'object' && given !== null) {
      for (const [tag, plugin] of Object.entries(given)) if (typeof plugin === 'string') plugins[tag] = plugin;
    }
  }
  return { plugins };
}

function errorCode(cause: unknown): string {
  return (cause as NodeJS.ErrnoException | undefined)?.code ?? errorText(cause);
}

function errorText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
