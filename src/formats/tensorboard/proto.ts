/**
 * The subset of TensorBoard's protos (tensorboard/compat/proto/{event,summary,histogram,tensor,
 * tensor_shape}.proto) that nndoctor reads and writes. Field numbers are the upstream ones; fields we
 * never look at (graphs, images, audio, run metadata) are left out, so the decoder skips them cheaply.
 * The schema is kept in source (no runtime file loading), so it works bundled. It is written as proto2
 * (wire-compatible with the upstream proto3): explicit presence makes the encoder write a scalar 0
 * and tells a present `simple_value` by an own property, without protobufjs' oneof bookkeeping
 * (which deletes properties on every decode and made decoding a third slower).
 */
import protobuf from 'protobufjs';
import type { Int64 } from '../protobuf/int64.js';

const SCHEMA = `
syntax = "proto2";
package nndoctor.tensorboard;

message Event {
  optional double wall_time = 1;
  optional int64 step = 2;
  optional string file_version = 3;
  optional Summary summary = 5;
}

message Summary {
  message Value {
    optional string node_name = 7;
    optional string tag = 1;
    optional SummaryMetadata metadata = 9;
    optional float simple_value = 2;
    optional HistogramProto histo = 5;
    optional TensorProto tensor = 8;
  }
  repeated Value value = 1;
}

message SummaryMetadata {
  message PluginData {
    optional string plugin_name = 1;
    optional bytes content = 2;
  }
  optional PluginData plugin_data = 1;
  optional string display_name = 2;
  optional string summary_description = 3;
  optional int32 data_class = 4;
}

message HistogramProto {
  optional double min = 1;
  optional double max = 2;
  optional double num = 3;
  optional double sum = 4;
  optional double sum_squares = 5;
  repeated double bucket_limit = 6 [packed = true];
  repeated double bucket = 7 [packed = true];
}

message TensorShapeProto {
  message Dim {
    optional int64 size = 1;
    optional string name = 2;
  }
  repeated Dim dim = 2;
  optional bool unknown_rank = 3;
}

message TensorProto {
  optional int32 dtype = 1;
  optional TensorShapeProto tensor_shape = 2;
  optional bytes tensor_content = 4;
  repeated int32 half_val = 13 [packed = true];
  repeated float float_val = 5 [packed = true];
  repeated double double_val = 6 [packed = true];
  repeated int32 int_val = 7 [packed = true];
  repeated bytes string_val = 8;
  repeated int64 int64_val = 10 [packed = true];
}
`;

/** Decoded `HistogramProto`. Absent fields read as proto3 defaults (0, empty). */
export interface HistogramMessage {
  min: number;
  max: number;
  num: number;
  sum: number;
  sum_squares: number;
  bucket_limit: number[];
  bucket: number[];
}

/** Decoded `TensorProto` (only the fields nndoctor uses). */
export interface TensorMessage {
  dtype: number;
  tensor_shape?: { dim: Array<{ size: Int64 }> } | null;
  tensor_content: Uint8Array;
  half_val: number[];
  float_val: number[];
  double_val: number[];
  int_val: number[];
  string_val: Uint8Array[];
  int64_val: Int64[];
}

/** Decoded `Summary.Value`. */
export interface ValueMessage {
  node_name: string;
  tag: string;
  metadata?: { plugin_data?: { plugin_name: string; content: Uint8Array } | null } | null;
  simple_value?: number;
  histo?: HistogramMessage | null;
  tensor?: TensorMessage | null;
}

/** Decoded `Event`. */
export interface EventMessage {
  wall_time: number;
  step: Int64;
  file_version?: string;
  summary?: { value: ValueMessage[] } | null;
}

const root = protobuf.parse(SCHEMA, { keepCase: true }).root;

/**
 * The protobufjs `Event` type of the schema above.
 * @example
 * EventType.encode({ wall_time: 1, step: 0, file_version: 'brain.Event:2' }).finish();
 */
export const EventType = root.lookupType('nndoctor.tensorboard.Event');

/**
 * Decodes one event record payload. Throws (protobufjs errors) when the bytes are not an Event.
 * @example
 * const event = decodeEvent(payload);
 * if (event.file_version) console.log(event.file_version); // 'brain.Event:2'
 */
export function decodeEvent(payload: Uint8Array): EventMessage {
  return EventType.decode(payload) as unknown as EventMessage;
}

/**
 * Encodes an event given as a plain object with the field names above (int64 fields as numbers).
 * @example
 * const bytes = encodeEvent({ wall_time: 1.5, step: 3, summary: { value: [{ tag: 'loss', simple_value: 0.5 }] } });
 */
export function encodeEvent(event: Record<string, unknown>): Uint8Array {
  return EventType.encode(event).finish();
}
