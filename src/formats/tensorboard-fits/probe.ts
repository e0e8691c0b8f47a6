/**
 * A cheap look at an event file for telling fits apart: when its writer opened it, the first step
 * of each tag at its start, and its last step and wall time at its end. Reads at most a window at
 * the head and one at the tail (a file that fits in one window is read whole), so a GB file costs
 * two reads. Uses the TFRecord framing and `Event` decoder of the TensorBoard reader.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { int64ToNumber } from '../protobuf/int64.js';
import { decodeEvent, type EventMessage } from '../tensorboard/proto.js';
import { FRAME_BYTES, HEADER_BYTES, headerLength } from '../tensorboard/records.js';
import { isStringTensor } from '../tensorboard/tensors.js';

/** What {@link probeEventFile} saw. Times are event wall times in seconds. */
export interface EventFileProbe {
  readonly path: string;
  /** Wall time of the first event (the `file_version` record: when the writer opened the file). */
  readonly openedAt: number | null;
  /** First step of each scalar/histogram tag in the head window. */
  readonly firstSteps: ReadonlyMap<string, number>;
  /** Smallest of `firstSteps`, or null when the head holds no value. */
  readonly firstStep: number | null;
  /** Largest step and last wall time of the values in the tail window (null when no record boundary was found there). */
  readonly lastStep: number | null;
  readonly lastWall: number | null;
  /** The whole file was read and holds no value: 0 bytes, only the `file_version` record, or cut after it. */
  readonly empty: boolean;
}

/** Bytes read at the head and at the tail. */
const WINDOW = 1 << 20;
/** Tags whose first step is kept (a file's first records name them all in practice). */
const MAX_TAGS = 200;

interface Seen {
  openedAt: number | null;
  readonly firstSteps: Map<string, number>;
  lastStep: number | null;
  lastWall: number | null;
}

/**
 * Probes one event file. Never throws: an unreadable file is a probe with nothing seen (`empty` false).
 * @example
 * const p = await probeEventFile('runs/exp9/events.out.tfevents.1676122153.host');
 * p.firstStep; // 35 (a resumed run continues the steps)
 */
export async function probeEventFile(path: string): Promise<EventFileProbe> {
  const seen: Seen = { openedAt: null, firstSteps: new Map(), lastStep: null, lastWall: null };
  let fh: FileHandle | undefined;
  let whole = false;
  try {
    fh = await open(path, 'r');
    const { size } = await fh.stat();
    whole = size <= WINDOW;
    const head = await readAt(fh, 0, Math.min(size, WINDOW));
    walkRecords(head, 0, seen, true);
    if (!whole) {
      const tail = await readAt(fh, size - WINDOW, WINDOW);
      const start = chainStart(tail);
      seen.lastStep = null; // the head's steps are not the end of a file larger than the window
      seen.lastWall = null;
      if (start !== null) walkRecords(tail, start, seen, false);
    }
  } catch {
    whole = false;
  } finally {
    await fh?.close().catch(() => undefined);
  }
  const steps = [...seen.firstSteps.values()];
  const firstStep = steps.length > 0 ? Math.min(...steps) : null;
  return { path, openedAt: seen.openedAt, firstSteps: seen.firstSteps, firstStep, lastStep: seen.lastStep, lastWall: seen.lastWall, empty: whole && firstStep === null };
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** Decodes the whole records of `buf` from `at` on; stops at the first framing error or cut record. */
function walkRecords(buf: Buffer, at: number, seen: Seen, isHead: boolean): void {
  for (let i = at; i + HEADER_BYTES <= buf.length; ) {
    const length = headerLength(buf, i);
    if (length === null || i + length + FRAME_BYTES > buf.length) return;
    let event: EventMessage | null = null;
    try {
      event = decodeEvent(buf.subarray(i + HEADER_BYTES, i + HEADER_BYTES + length));
    } catch {
      // not an event: the reader reports it
    }
    if (event) note(event, seen, isHead && i === 0);
    i += length + FRAME_BYTES;
  }
}

function note(event: EventMessage, seen: Seen, first: boolean): void {
  if (first && typeof event.wall_time === 'number') seen.openedAt = event.wall_time;
  const values = event.summary?.value;
  if (!values) return;
  const step = int64ToNumber(event.step);
  let numeric = false;
  for (const v of values) {
    const tensor = v.tensor;
    if (!(Object.hasOwn(v, 'simple_value') || v.histo || (tensor && !isStringTensor(tensor)))) continue;
    numeric = true;
    const tag = v.tag || v.node_name;
    if (tag && !seen.firstSteps.has(tag) && seen.firstSteps.size < MAX_TAGS) seen.firstSteps.set(tag, step);
  }
  if (!numeric) return;
  seen.lastStep = seen.lastStep === null ? step : Math.max(seen.lastStep, step);
  if (typeof event.wall_time === 'number') seen.lastWall = seen.lastWall === null ? event.wall_time : Math.max(seen.lastWall, event.wall_time);
}

/**
 * The offset in a tail window where a chain of record headers starts that runs to the end of the
 * window (the last record may be cut: the file is still being written), or null. The length CRC
 * of each header makes a false start practically impossible.
 */
function chainStart(buf: Buffer): number | null {
  for (let i = 0; i + HEADER_BYTES <= buf.length; i++) {
    if (headerLength(buf, i) === null) continue;
    let j = i;
    let records = 0;
    for (;;) {
      const length = j + HEADER_BYTES <= buf.length ? headerLength(buf, j) : null;
      if (length === null) break;
      if (j + length + FRAME_BYTES > buf.length) {
        j = buf.length; // cut last record
        break;
      }
      j += length + FRAME_BYTES;
      records++;
    }
    if (j === buf.length && records > 0) return i;
  }
  return null;
}
