/**
 * The subset of TensorBoard's protos (tensorboard/compat/proto/{event,summary,histogram,tensor,
 * tensor_shape}.proto) that nndoctor reads and writes. Field numbers are the upstream ones; fields we
 * never look at (graphs, images, audio, run metadata) are left out, so the decoder skips them cheaply.
 * The schema is kept in source (no runtime file loading), so it works bundled.
 */
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
package nndoctor.tensorboard;

message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    Summary summary = 5;
  }
}

message Summary {
  message Value {
    string node_name = 7;
    string tag = 1;
    SummaryMetadata metadata = 9;
    oneof value {
      float simple_value = 2;
      HistogramProto histo = 5;
      TensorProto tensor = 8;
    }
  }
  repeated Value value = 1;
}

message SummaryMetadata {
  message PluginData {
    string plugin_name = 1;
    bytes content = 2;
  }
  PluginData plugin_data = 1;
  string display_name = 2;
  string summary_description = 3;
  int32 data_class = 4;
}

message HistogramProto {
  double min = 1;
  double max = 2;
  double num = 3;
  double sum = 4;
  double sum_squares = 5;
  repeated double bucket_limit = 6 [packed = true];
  repeated double bucket = 7 [packed = true];
}

message TensorShapeProto {
  message Dim {
    int64 size = 1;
    string name = 2;
  }
  repeated Dim dim = 2;
  bool unknown_rank = 3;
}

message TensorProto {
  int32 dtype = 1;
  TensorShapeProto tensor_shape = 2;
  bytes tensor_content = 4;
  repeated int32 half_val = 13 [packed = true];
  repeated float float_val = 5 [packed = true];
  repeated double double_val = 6 [packed = true];
  repeated int32 int_val = 7 [packed = true];
  repeated bytes string_val = 8;
  repeated int64 int64_val = 10 [packed = true];
}
`;

/** An int64 as protobufjs hands it out: a number, or a Long when the `long` package is present. */
export type Int64 = number | { toNumber(): number };

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

/** protobufjs message types of the schema above. */
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
 * Encodes an event given as a plain object with the field names above.
 * @example
 * const bytes = encodeEvent({ wall_time: 1.5, step: 3, summary: { value: [{ tag: 'loss', simple_value: 0.5 }] } });
 */
export function encodeEvent(event: Record<string, unknown>): Uint8Array {
  return EventType.encode(EventType.fromObject(event)).finish();
}

/**
 * Converts a protobufjs int64 (number or Long) to a JS number (exact below 2^53).
 * @example
 * int64ToNumber(12) // 12
 */
export function int64ToNumber(v: Int64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}
