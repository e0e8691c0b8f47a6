/**
 * A tiny `.wandb` writer for tests: the file header, then records framed into 32 KiB blocks exactly
 * as `wandb/sdk/internal/datastore.py` does (zero padding when fewer than 7 bytes are left in a
 * block, FIRST/MIDDLE/LAST fragments for a record that does not fit), each a protobuf Record.
 */
import { BLOCK_BYTES, FILE_HEADER, FIRST, FULL, LAST, MIDDLE, RECORD_HEADER_BYTES, recordChecksum } from '../log-records.js';
import { RecordType } from '../proto.js';

/** One history item: `key` (clients before wandb-core) or `nested_key`, and the value as JSON text. */
export interface TestItem {
  readonly key?: string;
  readonly nested_key?: readonly string[];
  readonly value_json: string;
}

/**
 * Encodes a Record given as a plain object with the proto's field names.
 * @example
 * encodeRecord({ run: { run_id: 'abc', display_name: 'lr-1e-3' } })
 */
export function encodeRecord(record: Record<string, unknown>): Uint8Array {
  return RecordType.encode(RecordType.fromObject(record)).finish();
}

/**
 * A history record: `_step`, `_runtime`, `_timestamp` and the given items, as the SDK writes a
 * `wandb.log` call (the HistoryStep message is there, empty for step 0).
 * @example
 * historyRecord(3, [{ key: 'loss', value_json: '0.5' }])
 */
export function historyRecord(step: number, items: readonly TestItem[], useNestedKey = false): Uint8Array {
  const own = (key: string, value: string): TestItem => (useNestedKey ? { nested_key: [key], value_json: value } : { key, value_json: value });
  return encodeRecord({
    history: {
      item: [...items, own('_step', String(step)), own('_runtime', String(step * 0.5)), own('_timestamp', String(1_700_000_000 + step))],
      step: step === 0 ? {} : { num: step },
    },
  });
}

/** Where each record went in the file, for tests that damage one. */
export interface Framed {
  readonly bytes: Buffer;
  /** Byte offset of each record's first fragment header. */
  readonly offsets: number[];
}

/**
 * Frames records into a `.wandb` file image.
 * @example
 * const { bytes } = frameLog([encodeRecord({ run: { run_id: 'x' } }), historyRecord(0, [...])]);
 */
export function frameLog(records: readonly Uint8Array[]): Framed {
  const parts: Buffer[] = [Buffer.from(FILE_HEADER)];
  let index = FILE_HEADER.length;
  const offsets: number[] = [];
  const fragment = (type: number, data: Uint8Array): void => {
    const header = Buffer.alloc(RECORD_HEADER_BYTES);
    header.writeUInt32LE(recordChecksum(type, data), 0);
    header.writeUInt16LE(data.length, 4);
    header.writeUInt8(type, 6);
    parts.push(header, Buffer.from(data));
    index += RECORD_HEADER_BYTES + data.length;
  };
  for (const data of records) {
    let spaceLeft = BLOCK_BYTES - (index % BLOCK_BYTES);
    if (spaceLeft < RECORD_HEADER_BYTES) {
      parts.push(Buffer.alloc(spaceLeft));
      index += spaceLeft;
      spaceLeft = BLOCK_BYTES;
    }
    offsets.push(index);
    if (data.length + RECORD_HEADER_BYTES <= spaceLeft) {
      fragment(FULL, data);
      continue;
    }
    let used = spaceLeft - RECORD_HEADER_BYTES;
    fragment(FIRST, data.subarray(0, used));
    while (used < data.length) {
      const room = BLOCK_BYTES - RECORD_HEADER_BYTES;
      const piece = data.subarray(used, used + room);
      used += piece.length;
      fragment(used < data.length ? MIDDLE : LAST, piece);
    }
  }
  return { bytes: Buffer.concat(parts), offsets };
}
