/**
 * The subset of W&B's `wandb_internal.Record` (wandb/proto/wandb_internal.proto) that nndoctor reads
 * from a run's `.wandb` transaction log. Field numbers are the upstream ones; every other record type
 * (output, stats, files, telemetry, the field-26 environment record of clients 0.23+ ...) is left out,
 * so protobufjs skips it as an unknown field. Written as proto2 for explicit presence (a `key` that is
 * set tells apart from one that is not), wire-compatible with the upstream proto3.
 */
import protobuf from 'protobufjs';
import type { Int64 } from '../protobuf/int64.js';

const SCHEMA = `
syntax = "proto2";
package nndoctor.wandb;

message Record {
  optional int64 num = 1;
  optional HistoryRecord history = 2;
  optional SummaryRecord summary = 3;
  optional ConfigRecord config = 5;
  optional RunRecord run = 17;
  optional RunExitRecord exit = 18;
}

message Item {
  optional string key = 1;
  repeated string nested_key = 2;
  optional string value_json = 16;
}

message HistoryStep {
  optional int64 num = 1;
}

message HistoryRecord {
  repeated Item item = 1;
  optional HistoryStep step = 2;
}

message SummaryRecord {
  repeated Item update = 1;
}

message ConfigRecord {
  repeated Item update = 1;
}

message RunRecord {
  optional string run_id = 1;
  optional string project = 3;
  optional ConfigRecord config = 4;
  optional string display_name = 8;
  optional int64 starting_step = 14;
  optional bool resumed = 18;
}

message RunExitRecord {
  optional int32 exit_code = 1;
  optional int32 runtime = 2;
}
`;

/** A history, summary or config item: `key`, or (wandb-core clients) the `nested_key` path. */
export interface ItemMessage {
  key?: string;
  nested_key: string[];
  value_json?: string;
}

/** Decoded `Record` (only the fields nndoctor reads; absent ones are undefined). */
export interface RecordMessage {
  num?: Int64;
  history?: { item: ItemMessage[]; step?: { num?: Int64 } | null } | null;
  summary?: { update: ItemMessage[] } | null;
  config?: { update: ItemMessage[] } | null;
  run?: {
    run_id?: string;
    project?: string;
    config?: { update: ItemMessage[] } | null;
    display_name?: string;
    starting_step?: Int64;
    resumed?: boolean;
  } | null;
  exit?: { exit_code?: number; runtime?: number } | null;
}

const root = protobuf.parse(SCHEMA, { keepCase: true }).root;

/**
 * The protobufjs `Record` type of the schema above (tests encode records with it).
 * @example
 * RecordType.encode({ history: { item: [{ key: 'loss', value_json: '0.5' }] } }).finish();
 */
export const RecordType = root.lookupType('nndoctor.wandb.Record');

/**
 * Decodes one logical record. Throws (protobufjs errors) when the bytes are not a Record.
 * @example
 * decodeRecord(payload).history?.item[0]?.key // 'loss'
 */
export function decodeRecord(payload: Uint8Array): RecordMessage {
  return RecordType.decode(payload) as unknown as RecordMessage;
}

/**
 * The key of an item: `key` when set, else the `nested_key` elements joined with `/` (a flat
 * `train/loss` is one element and stays as it is); `null` when it has neither.
 * @example
 * itemKey({ nested_key: ['train/loss'] }) // 'train/loss'
 * itemKey({ nested_key: ['Sample Images', 'format'] }) // 'Sample Images/format'
 */
export function itemKey(item: ItemMessage): string | null {
  if (item.key !== undefined && item.key !== '') return item.key;
  return item.nested_key.length > 0 ? item.nested_key.join('/') : null;
}
