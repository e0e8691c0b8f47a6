/**
 * protobufjs' 64-bit integers, shared by the schemas nndoctor decodes (TensorBoard events, W&B records).
 */

/** An int64 as protobufjs hands it out: a number, or a Long when the `long` package is present. */
export type Int64 = number | { toNumber(): number };

/**
 * Converts a protobufjs int64 (number or Long) to a JS number (exact below 2^53); absent reads as 0,
 * the proto3 default.
 * @example
 * int64ToNumber(12) // 12
 */
export function int64ToNumber(v: Int64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}
